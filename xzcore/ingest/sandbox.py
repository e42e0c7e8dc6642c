"""Workbooks are read in a child process with an address-space and a time limit.

calamine is Rust: a file it cannot hold makes it abort the whole process (`memory allocation of
5368709120 bytes failed`), which no Python `except` catches. In the server that process is every
viewer's dashboard. So the reading happens in bookreader.py, a fresh `python -I` with
RLIMIT_AS and a wall-time limit; the server only ever sees its pickled cells (unpickled with
nothing but datetime types allowed) or, if it died, a Chinese message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib.util
import io
import logging
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from xzcore.ingest.limits import (
    MAX_COLUMNS,
    MAX_MERGED,
    UnreadableFile,
    check_merged,
    check_size,
    max_cells,
    max_lines,
    read_memory_mb,
    read_seconds,
)

CHILD = Path(__file__).with_name("bookreader.py")
DIED = "文件过大或已损坏，无法读取（读取进程超出内存/时间上限）"
NO_CHILD = "服务器暂时无法读取工作簿（无法启动读取进程），请稍后再试"
# The pickled sheets are at most a few bytes a cell; more than this means the child went wrong,
# and the server must not hold it (it would unpickle to several times the size).
MAX_OUTPUT = 256 * 2**20
_STDERR_KEPT = 4096
_log = logging.getLogger(__name__)

Sheets = list[tuple[str, list[list[object]], tuple[tuple[int, int, int, int], ...]]]


class _Cells(pickle.Unpickler):
    """Cells are str, float, int, bool and datetime types: nothing else may be built."""

    _ALLOWED: ClassVar = {
        ("datetime", n): getattr(dt, n) for n in ("date", "datetime", "time", "timedelta")
    }

    def find_class(self, module: str, name: str):
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not a cell value") from None


def read_workbook(data: bytes, check: Callable[[bytes], None] | None = None) -> Sheets:
    """(name, rows, merged) of every sheet of an .xlsx/.xls/.ods, read in a child process.

    check(data) runs here while the child starts (they overlap on two cores); if it raises,
    the child is ended unused and the error stands.
    """
    seconds, args = read_seconds(), command()
    try:
        child = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={"RUST_BACKTRACE": "0"},  # calamine's abort message in one line, for the log
        )
    except OSError as exc:  # out of processes or memory: the file is not to blame
        _log.error("cannot start the workbook reader: %s", exc)
        raise UnreadableFile(NO_CHILD) from exc
    try:
        if check is not None:
            check(data)
    except BaseException:
        child.kill()
        child.communicate()
        raise
    out, code, why = _run(child, data, seconds)
    if why is None and code == 0:
        try:
            result = _Cells(io.BytesIO(out)).load()
        except Exception as exc:  # a child that wrote half its answer, or something else
            why = f"unreadable answer ({type(exc).__name__})"
        else:
            return _answer(result)
    _log.warning("workbook reader ended: exit %s, %s", code, why)
    raise UnreadableFile(DIED)


def command() -> list[str]:
    """The child's command line, with the limits in force now."""
    return [
        sys.executable,
        "-I",  # no PYTHON* variables, no user site, no current directory on the path
        "-S",  # nor site-packages: calamine's folder is given
        str(CHILD),
        _calamine_dir(),
        repr(read_memory_mb()),
        repr(read_seconds()),
        str(max_lines()),
        str(MAX_COLUMNS),
        str(max_cells()),
        str(MAX_MERGED),
    ]


@functools.cache
def _calamine_dir() -> str:
    spec = importlib.util.find_spec("python_calamine")
    return str(Path(spec.origin).parent.parent)


def _answer(result: tuple) -> Sheets:
    kind = result[0]
    if kind == "sheets":
        return result[1]
    if kind == "size":
        _, name, rows, columns = result
        check_size(rows, columns, name)
    elif kind == "merged":
        _, name, count = result
        check_merged(count, name)
    elif kind == "broken":
        raise UnreadableFile(f"Excel 文件已损坏或无法读取（{result[1]}）")
    raise UnreadableFile(DIED)  # "memory", or a limit the child and the server disagree on


def _run(child: subprocess.Popen, data: bytes, seconds: float) -> tuple[bytes, int, str | None]:
    """stdout and exit code of the child fed data; why it was stopped, if it was."""
    started = time.monotonic()
    out, err = bytearray(), bytearray()
    stopped: list[str] = []

    def feed() -> None:
        try:
            child.stdin.write(data)
            child.stdin.close()
        except OSError:  # the child died before reading it all: its exit code says why
            pass

    def collect(stream, into: bytearray, limit: int, over: str | None) -> None:
        while chunk := stream.read1(1 << 16):
            if len(into) + len(chunk) > limit:
                if over:
                    stopped.append(over)
                    child.kill()
                    return
                continue  # stderr: keep its start, drain the rest
            into += chunk

    threads = [
        threading.Thread(target=feed, daemon=True),
        threading.Thread(target=collect, args=(child.stdout, out, MAX_OUTPUT, "too much output"),
                         daemon=True),
        threading.Thread(target=collect, args=(child.stderr, err, _STDERR_KEPT, None),
                         daemon=True),
    ]  # fmt: skip
    for thread in threads:
        thread.start()

    def left() -> float:
        return max(0.0, seconds - (time.monotonic() - started))

    # The answer is complete when stdout closes: waiting on that wakes at once, where
    # Popen.wait(timeout) polls in sleeps of up to 50 ms.
    threads[1].join(timeout=left())
    try:
        child.wait(timeout=left())
    except subprocess.TimeoutExpired:
        stopped.append(f"over {seconds:g} s")
        child.kill()
        child.wait()
    for thread in threads:
        thread.join(timeout=5)
    for stream in (child.stdin, child.stdout, child.stderr):
        with contextlib.suppress(OSError):
            stream.close()
    why = "; ".join(stopped) or None
    if child.returncode != 0 and err:
        why = f"{why or 'died'}: {err.decode('utf-8', 'replace').strip()[:500]}"
    return bytes(out), child.returncode, why

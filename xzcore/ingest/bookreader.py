"""The child process that reads a workbook: `python -I -S bookreader.py CALAMINE_DIR MEMORY_MB
SECONDS LINES COLUMNS CELLS MERGED`, the file on stdin, its sheets pickled on stdout.

Run by path, not imported: it needs only the standard library and calamine (found in
CALAMINE_DIR, without site's start-up work), so it starts in a few tens of milliseconds, and a
file that makes calamine abort (a Rust allocation failure Python cannot catch) or ask for
gigabytes ends this process under its own limits, never the server.

Output, one pickled tuple:
  ("sheets", [(name, rows, merged), ...])   rows exactly as calamine's to_python gives them
  ("size", sheet, rows, columns)            the used range is over a limit: not read
  ("merged", sheet, count)                  too many merged ranges
  ("broken", exception type name)           calamine could not read the file
  ("memory",)                               MemoryError raised inside Python
"""

from __future__ import annotations

import io
import os
import resource
import sys
from _pickle import dumps  # pickle.py would import re and more: milliseconds at every start

# A shared string is one entry in the file but a new str for every cell that uses it: 10,000
# cells of one long text would pickle, and unpickle in the server, as 10,000 copies. Past this
# size the answer is pickled again with one object per distinct text (pickle's memo).
_SHARE_OVER = 8 * 2**20


def _limit_self(memory_mb: float, seconds: float) -> None:
    memory = int(memory_mb * 2**20)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # The parent kills on wall time; CPU time is the backstop should the parent itself be gone.
    cpu = int(seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _read(data: bytes, lines: int, columns: int, cells: int, merged_limit: int) -> tuple:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            # A few bytes of XML can claim a million rows: look at the size before reading.
            # to_python(skip_empty_area=False) fills from A1 to the last used cell.
            end = sheet.end
            height, width = (end[0] + 1, end[1] + 1) if end else (0, 0)
            if height * width > cells or height > lines or width > columns:
                return ("size", name, height, width)
            ranges = sheet.merged_cell_ranges or ()
            if len(ranges) > merged_limit:
                return ("merged", name, len(ranges))
            merged = tuple((r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges)
            sheets.append((name, sheet.to_python(skip_empty_area=False), merged))
        return ("sheets", sheets)
    except MemoryError:
        raise
    except Exception as exc:  # calamine raises its own types for every kind of damage
        return ("broken", type(exc).__name__)


def main(argv: list[str]) -> None:
    sys.path.insert(0, argv[0])
    memory_mb, seconds = float(argv[1]), float(argv[2])
    lines, columns, cells, merged = (int(a) for a in argv[3:7])
    _limit_self(memory_mb, seconds)
    data = sys.stdin.buffer.read()
    try:
        result = _read(data, lines, columns, cells, merged)
        del data
        answer = dumps(result, protocol=5)
        if len(answer) > _SHARE_OVER and result[0] == "sheets":
            del answer
            texts: dict[str, str] = {}
            for _, rows, _ in result[1]:
                for row in rows:
                    row[:] = [texts.setdefault(v, v) if type(v) is str else v for v in row]
            answer = dumps(result, protocol=5)
    except MemoryError:
        answer = dumps(("memory",), protocol=5)
    sys.stdout.buffer.write(answer)
    sys.stdout.buffer.flush()
    # Freeing millions of cells one by one takes longer than reading them; the OS frees at once.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])

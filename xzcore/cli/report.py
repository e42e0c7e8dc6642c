"""python -m xzcore report [--month YYYY-MM] --format pdf|xlsx|png-dir -o PATH.

Without --month, the newest published month. A published month's bulletin is its frozen copy
(the latest version: a corrected one says 更正); a month being collected is marked 未发布 in the
title, on every chart and first in the output.

The database is read (read-only) and closed before the slow part, rendering, begins. A file is
written whole or not at all: to a temporary name beside it, then renamed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from xzcore import cycle
from xzcore.errors import XZError
from xzcore.store import db

FORMATS = {"pdf": "PDF", "xlsx": "Excel 工作簿", "png-dir": "图表图片目录（每图一个 PNG）"}


class CannotWrite(XZError):
    pass


def add_command(sub) -> None:
    p = sub.add_parser("report", help="月度晾晒通报：PDF、Excel 或图表图片")
    p.add_argument(
        "--month", help="报告月份 YYYY-MM（默认：最新已发布的月份；收集中的月份标注未发布）"
    )
    p.add_argument("--format", required=True, choices=list(FORMATS), help="pdf、xlsx 或 png-dir")
    p.add_argument(
        "-o", "--output", required=True, metavar="PATH", help="输出文件（png-dir 为目录）"
    )


_REASONS = {
    PermissionError: "没有写入权限",
    FileNotFoundError: "所在目录不存在",
    IsADirectoryError: "这是一个目录",
    NotADirectoryError: "路径中有一段不是目录",
    FileExistsError: "已有同名文件",
}


def _cannot(path: Path, exc: OSError) -> CannotWrite:
    reason = next((w for t, w in _REASONS.items() if isinstance(exc, t)), exc.strerror or str(exc))
    return CannotWrite(f"无法写入 {path}：{reason}")


def _check(path: Path, fmt: str) -> None:
    """Fail before the rendering, not after it, when the output cannot be written."""
    try:
        if fmt == "png-dir":
            path.mkdir(parents=True, exist_ok=True)
            directory = path
        elif path.is_dir():
            raise IsADirectoryError
        else:
            directory = path.parent
        tempfile.TemporaryFile(dir=directory).close()  # what we can write there, really
    except OSError as exc:
        raise _cannot(path, exc) from exc


def _write(path: Path, data: bytes) -> None:
    temporary = None
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".xz-", suffix=path.suffix)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        raise _cannot(path, exc) from exc


def run(args, db_path: Path) -> int:
    # imported only here: plotly, WeasyPrint, openpyxl and kaleido load slowly, and the other
    # commands of python -m xzcore need none of them
    from xzcore.cli.main import chosen_month
    from xzcore.report import bulletin

    out = Path(args.output)
    _check(out, args.format)
    con = db.connect(db_path, read_only=True)
    try:
        month = chosen_month(con, args.month)
        b = bulletin.gather(cycle.months.reader(con, month), month)
    finally:
        con.close()
    if b.banner:
        print(f"{month} {b.banner}")
    if args.format == "png-dir":
        from xzcore.report import images

        for name, png in images.chart_images(b).items():
            _write(out / name, png)
    elif args.format == "pdf":
        from xzcore.report import pdf

        _write(out, pdf.pdf_bytes(b))
    else:
        from xzcore.report import workbook

        _write(out, workbook.xlsx_bytes(b))
    print(f"已生成{FORMATS[args.format]}：{out}")
    return 0

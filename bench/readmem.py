"""Memory and time of reading one upload of each kind at the size limit (20 MB): xlsx, xls, CSV.

    python -m bench.ingest --read-mb 20

Each file is as large as the limit allows and within every other limit (cells, lines, columns);
it is read (xzcore.ingest.read.read: measured, then read in the child process for workbooks) in
a fresh Python process. Server RSS is that process's peak before and after the read (the file's
bytes are in the first); child RSS is the reading child's own peak, run again on its own.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from openpyxl.utils import get_column_letter

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STAGES = ["签约", "开工", "在建", "竣工", "投产"]
_BOOK = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
    'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType='
    '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" '
    f'xmlns:r="{REL}"><sheets><sheet name="明细" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
    f'"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    f'Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="'
    f'{REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="{REL}/'
    'styles" Target="styles.xml"/></Relationships>',
    # numFmtId 14 is Excel's built-in date format: calamine reads those cells as dates
    "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{NS}"><cellXfs '
    'count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
}


def xlsx(rows: int, columns: int, cents: int = 1_000_000) -> bytes:
    """As Excel writes a detail sheet: a code and a name (shared strings), a stage, a start
    date, then figures of two decimals below cents / 100; r= on every row and cell, a
    <dimension>."""
    rng = random.Random(1)
    names = [f"秀洲区重点项目{i:04d}号工程" for i in range(2000)]
    strings = names + STAGES + [f"XZ2020-{i:05d}" for i in range(rows)]
    letters = [get_column_letter(j) for j in range(1, columns + 1)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in _BOOK.items():
            book.writestr(name, text)
        book.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="{len(strings)}">'
            + "".join(f"<si><t>{s}</t></si>" for s in strings)
            + "</sst>",
        )
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><dimension '
                f'ref="A1:{letters[-1]}{rows}"/><sheetData>'.encode()
            )
            for i in range(1, rows + 1):
                fixed = (
                    f'<c r="A{i}" t="s"><v>{2005 + i - 1}</v></c>'
                    f'<c r="B{i}" t="s"><v>{rng.randrange(2000)}</v></c>'
                    f'<c r="C{i}" t="s"><v>{2000 + rng.randrange(5)}</v></c>'
                    f'<c r="D{i}" s="1"><v>{43831 + rng.randrange(366)}</v></c>'
                )
                figures = "".join(
                    f'<c r="{c}{i}"><v>{rng.randrange(cents) / 100}</v></c>' for c in letters[4:]
                )
                sheet.write(f'<row r="{i}">{fixed}{figures}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def xls(rows: int, columns: int) -> bytes:
    import xlwt  # a development requirement, as the tests' .xls files are

    rng = random.Random(2)
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("明细")
    date = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for i in range(rows):
        sheet.write(i, 0, f"XZ2020-{i:05d}")
        sheet.write(i, 1, f"秀洲区重点项目{rng.randrange(2000):04d}号工程")
        sheet.write(i, 2, STAGES[rng.randrange(5)])
        sheet.write(i, 3, dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(366)), date)
        for j in range(4, columns):
            sheet.write(i, j, rng.randrange(1_000_000) / 100)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_gbk(rows: int, columns: int) -> bytes:
    rng = random.Random(3)
    lines = []
    for i in range(rows):
        fixed = [f"XZ2020-{i:05d}", f"秀洲区重点项目{rng.randrange(2000):04d}号工程",
                 STAGES[rng.randrange(5)], f"2020-{rng.randrange(1, 13):02d}-01"]  # fmt: skip
        figures = (f"{rng.randrange(1_000_000) / 100}" for _ in range(columns - 4))
        lines.append(",".join([*fixed, *figures]))
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def html_gbk(rows: int, columns: int) -> bytes:
    """The same rows as a government system's “xls” that is really an HTML table."""
    lines = csv_gbk(rows, columns).decode("gbk").splitlines()
    cells = ("<tr>" + "".join(f"<td>{c}</td>" for c in line.split(",")) + "</tr>" for line in lines)
    page = '<html><head><meta charset="gbk"></head><body><table>' + "\n".join(cells)
    return (page + "</table></body></html>").encode("gbk")


# (builder, rows, columns): sizes chosen to come out just under 20 MB
KINDS = {
    "xlsx": (xlsx, 50_000, 100),  # figures to 10,000.00: fewer rows fit in 20 MB
    "xlsx (3 digits)": (lambda r, c: xlsx(r, c, 1000), 50_000, 100),  # more cells in 20 MB
    "xls": (xls, 65_000, 40),  # 2,600,000 cells; an .xls holds at most 65,536 rows
    "csv (GBK)": (csv_gbk, 50_000, 48),  # 2,400,000 cells
    "html (GBK)": (html_gbk, 40_000, 40),  # read in the server process, like a CSV
}


def _scaled(build, rows: int, columns: int, limit: int) -> bytes:
    """The file, with fewer rows if it would be over the limit."""
    data = build(rows, columns)
    while len(data) > limit:
        rows = int(rows * limit / len(data) * 0.98)
        data = build(rows, columns)
    return data


def _hwm_mb() -> float:
    """Peak RSS of this process since it started (unlike ru_maxrss, not inherited on exec)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


# Runs the reading child alone under a parent of a few MB: a child's ru_maxrss starts from its
# parent's RSS at fork, so only a small parent lets it show the child's own peak.
_WRAP = """import resource, subprocess, sys
with open(sys.argv[1], "rb") as data:
    subprocess.run(sys.argv[2:], stdin=data, stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def _one(path: str) -> None:
    """In a fresh process: read the file once, print what it cost as JSON."""
    from xzcore.ingest import sandbox
    from xzcore.ingest.read import read

    data = Path(path).read_bytes()
    base = _hwm_mb()
    start = time.perf_counter()
    sheets = read(data, Path(path).name)
    seconds = time.perf_counter() - start
    peak = _hwm_mb()
    child = None
    if path.endswith((".xlsx", ".xls")):
        wrap = [sys.executable, "-I", "-S", "-c", _WRAP, path, *sandbox.command()]
        child = float(subprocess.run(wrap, capture_output=True, text=True, check=True).stdout)
    print(json.dumps({
        "seconds": seconds, "base_mb": base, "peak_mb": peak, "child_mb": child,
        "cells": sum(len(r) for s in sheets for r in s.rows),
    }))  # fmt: skip


def report(mb: float, folder: Path) -> None:
    limit = int(mb * 2**20)
    print(f"Reading one file of each kind, at most {mb:g} MB (a fresh process each):")
    print(f"  {'kind':<16} {'size':>8} {'cells':>10} {'time':>8} {'server RSS (base → peak)':>26}"
          f" {'child RSS':>10}")  # fmt: skip
    for kind, (build, rows, columns) in KINDS.items():
        path = folder / f"big{len(kind)}.{kind.split()[0]}"
        path.write_bytes(_scaled(build, rows, columns, limit))
        result = subprocess.run(
            [sys.executable, "-m", "bench.readmem", str(path)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        got = json.loads(result.stdout)
        child = f"{got['child_mb']:.0f} MB" if got["child_mb"] else "—"
        print(f"  {kind:<16} {path.stat().st_size / 2**20:6.1f} MB {got['cells']:>10,}"
              f" {got['seconds']:6.2f} s {got['base_mb']:10.0f} → {got['peak_mb']:5.0f} MB"
              f" (+{got['peak_mb'] - got['base_mb']:.0f}) {child:>10}")  # fmt: skip


if __name__ == "__main__":
    _one(sys.argv[1])

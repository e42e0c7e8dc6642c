"""Time a 10,000-row monthly report from upload to committed: GBK CSV and xlsx.

    python -m bench.ingest [--rows 10000]

The district has as many projects as the report has rows, reported to 2020-11; the file is
December's, written as offices write it (title row, 单位 line, 合计 row). Each measurement
commits into a fresh copy of the database. For scale, DuckDB's own read_csv of the same
table in UTF-8 is timed too (it only reads; no matching, validation or commit).
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import openpyxl

from bench import synthetic
from xzcore import auth, db, ingest

TARGET_S = 2.0
RUNS = 3
HEADER = [
    "项目代码",
    "项目名称",
    "本月完成投资（万元）",
    "年初至报告期累计完成投资（万元）",
    "形象进度",
]


def _report_rows(path: Path) -> list[list]:
    with db.connect(path, read_only=True) as con:
        return [
            [code, name, str(amount), str(ytd), "主体结构施工"]
            for code, name, amount, ytd in con.execute(
                """SELECT p.code, p.name, 120.5, coalesce(max(g.ytd), 0) + 120.5
                   FROM projects p JOIN annual_plans a ON a.project_id = p.id AND a.year = 2020
                   LEFT JOIN progress g ON g.project_id = p.id AND g.year = 2020
                   GROUP BY p.id, p.code, p.name ORDER BY p.id"""
            ).fetchall()
        ]


def _csv(rows: list[list]) -> str:
    lines = ["秀洲区重点项目2020年1-12月进展情况", "单位：万元", ",".join(HEADER)]
    lines += [",".join(r) for r in rows]
    lines.append(f"合计,,{sum(float(r[2]) for r in rows):.2f},,")
    return "\r\n".join(lines) + "\r\n"


def _xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("12月")
    sheet.append(["秀洲区重点项目2020年1-12月进展情况"])
    sheet.append(["单位：万元"])
    sheet.append(HEADER)
    for code, name, amount, ytd, image in rows:
        sheet.append([code, name, float(amount), float(ytd), image])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload_s(base: Path, work: Path, data: bytes, name: str) -> tuple[float, int]:
    times, written = [], 0
    for _ in range(RUNS):
        shutil.copy(base, work)
        with db.connect(work) as con:
            start = time.perf_counter()
            preview = ingest.prepare(con, data, name)
            batch = ingest.commit(con, preview, auth.SYSTEM)
            times.append(time.perf_counter() - start)
            written = con.execute(
                "SELECT count(*) FROM progress WHERE batch_id = ?", [batch]
            ).fetchone()[0]
        work.unlink()
    return statistics.median(times), written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ingest", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xzingest-") as scratch:
        folder = Path(scratch)
        base = folder / "district.duckdb"
        synthetic.build(base, args.rows, months=35)  # to 2020-11: the upload adds December
        rows = _report_rows(base)
        text = _csv(rows)
        files = {"report.csv (GBK)": text.encode("gbk"), "report.xlsx": _xlsx(rows)}
        utf8 = folder / "report-utf8.csv"
        utf8.write_text(text, encoding="utf-8")
        print(f"Monthly report of {len(rows):,} rows, upload → committed (median of {RUNS});"
              f" target < {TARGET_S:.0f} s each.")  # fmt: skip
        for name, data in files.items():
            seconds, written = _upload_s(base, folder / "work.duckdb", data, name)
            verdict = "yes" if seconds < TARGET_S else "NO"
            print(f"  {name:<18} {len(data) / 2**20:6.2f} MB  {seconds * 1000:8.0f} ms"
                  f"  rows written {written:,}  met: {verdict}")  # fmt: skip
        reads = []
        for _ in range(RUNS):
            start = time.perf_counter()
            duckdb.read_csv(str(utf8), skiprows=2, header=True).fetchall()
            reads.append(time.perf_counter() - start)
        read_ms = statistics.median(reads) * 1000
        print(f"  DuckDB read_csv of the UTF-8 file (read only): {read_ms:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

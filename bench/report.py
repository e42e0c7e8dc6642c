"""Time the monthly report for the demo month (2020-08): PDF, Excel and the chart images.

    python -m bench.report

In this process: one warm-up (it starts the browser behind the chart images), then the median
of three runs, each from the database to the finished bytes. Then the command line once per
format in a fresh process, as a user runs it, browser start included. A measurement, not a
test: it prints figures and whether each target was met, and always exits 0.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xzcore import demo
from xzcore.period import Month
from xzcore.report import bulletin, images, pdf, workbook
from xzcore.store import db

ROOT = Path(__file__).resolve().parent.parent
MONTH = Month(2020, 8)
WARM_RUNS, TIMED_RUNS = 1, 3
TARGETS_S = {"pdf": 10.0, "xlsx": 2.0}  # the targets for the demo month
LABELS = {"pdf": "PDF", "xlsx": "Excel", "png-dir": "图表图片（6 张 PNG）"}


def _make(con, fmt: str, out: Path) -> None:
    b = bulletin.gather(con, MONTH)
    if fmt == "pdf":
        pdf.pdf_bytes(b)
    elif fmt == "xlsx":
        workbook.xlsx_bytes(b)
    else:
        for name, png in images.chart_images(b).items():
            (out / name).write_bytes(png)


def in_process(path: Path, out: Path) -> dict[str, list[float]]:
    con = db.connect(path, read_only=True)
    try:
        times: dict[str, list[float]] = {fmt: [] for fmt in LABELS}
        for run in range(WARM_RUNS + TIMED_RUNS):
            for fmt in LABELS:
                start = time.perf_counter()
                _make(con, fmt, out)
                if run >= WARM_RUNS:
                    times[fmt].append(time.perf_counter() - start)
        return times
    finally:
        con.close()


def command_line(path: Path, fmt: str, out: Path) -> float:
    target = out / ("图表" if fmt == "png-dir" else f"通报.{fmt}")
    env = os.environ | {"PYTHONPATH": str(ROOT), "XZ_DB": str(path)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "xzcore", "report", "--month", str(MONTH), "--format", fmt,
         "-o", str(target)],
        check=True, cwd=ROOT, env=env, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - start


def _verdict(fmt: str, seconds: float) -> str:
    if fmt not in TARGETS_S:
        return ""
    met = "达标" if seconds <= TARGETS_S[fmt] else "未达标"
    return f"（目标 ≤ {TARGETS_S[fmt]:g} 秒，{met}）"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="xzbench-report-") as folder:
        folder = Path(folder)
        path = folder / "demo.duckdb"
        demo.build(path, ROOT / "data" / "demo")
        print(f"月度通报 {MONTH}（示例数据，113 个项目）")
        times = in_process(path, folder)
        print(f"本进程内（预热 {WARM_RUNS} 次后 {TIMED_RUNS} 次的中位数，从数据库到文件）：")
        for fmt, label in LABELS.items():
            median = statistics.median(times[fmt])
            runs = "、".join(f"{t:.2f}" for t in times[fmt])
            print(f"  {label}：{median:.2f} 秒{_verdict(fmt, median)}  [{runs}]")
        print("命令行（新进程，含启动与浏览器启动，各 1 次）：")
        for fmt, label in LABELS.items():
            seconds = command_line(path, fmt, folder)
            print(f"  {label}：{seconds:.2f} 秒{_verdict(fmt, seconds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

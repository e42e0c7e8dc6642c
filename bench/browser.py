"""Page timings on the demo data and on a 10,000-project district: the server's run of each page
(a tab of bench.viewers: rerun sent → script finished, warm) and, in headless Chromium, from
navigation to the last chart drawn.

    python -m bench.browser [--projects 10000]

The bench process never opens the database: the server it times must be its only user (DuckDB
locks the file per process, and a page of a server locked out shows "数据库正被另一个进程占用").
A page showing an error, or fewer charts than the server sent, stops the bench instead of
being timed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import synthetic, viewers
from bench.synthetic import demo_db
from tests.browser import CHROMIUM_ARGS, settled

PAGES = {
    "总览": "/",
    "投资完成": "/completion",
    "进度滞后": "/lag",
    "亮灯地图": "/lightmap",
    "红旗/预警": "/evaluation",
    "项目详情": "/project?project=1",
    "月度通报": "/report",
}
RUNS = 3
# Every chart the page holds has drawn its SVG; an error on the page is no page to time.
_DRAWN = """(charts) => {
    if (document.querySelector('[data-testid="stException"], [data-testid="stAlertContentError"]'))
        return "error";
    const plots = [...document.querySelectorAll('.js-plotly-plot')];
    return plots.length >= charts && plots.every(p => p.querySelector('.main-svg'));
}"""


def server_ms(server: viewers.Server, month: str) -> dict:
    """Per page: the median of RUNS warm runs as the server times them, and its chart count."""
    runs = {}
    for title, path in PAGES.items():
        url_path, _, query = path.lstrip("/").partition("?")
        month_query = f"month={month}" + (f"&{query}" if query else "")
        runs |= viewers.sequential(server, {title: url_path}, month_query, RUNS)
    return runs


def browser_ms(url: str, path: str, month: str, charts: int) -> float:
    """Median time from navigation to the page settled with its `charts` charts drawn."""
    from playwright.sync_api import sync_playwright

    joiner = "&" if "?" in path else "?"
    times = []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for run in range(RUNS + 1):
            page = chromium.new_page(viewport={"width": 1920, "height": 1080})
            start = time.perf_counter()
            page.goto(f"{url}{path}{joiner}month={month}")
            settled(page, timeout=120000)
            drawn = page.wait_for_function(_DRAWN, arg=charts, timeout=120000).json_value()
            if drawn == "error":
                raise SystemExit(
                    f"{path}: the page shows an error: {page.inner_text('body')[:300]}"
                )
            if run:  # the first visit warms the server's caches
                times.append((time.perf_counter() - start) * 1000)
            page.close()
        chromium.close()
    return statistics.median(times)


def measure(label: str, database: Path, month: str) -> None:
    print(f"{label}（{month}）", flush=True)
    print(f"  {'page':<8} {'server run ms':>14} {'browser ms':>12} {'charts':>7}")
    with viewers.serve("dashboard.py", database) as server:
        url = f"http://127.0.0.1:{server.port}"
        runs = server_ms(server, month)
        for name, path in PAGES.items():
            shown = browser_ms(url, path, month, runs[name]["charts"])
            print(f"  {name:<8} {runs[name]['ms']:>14.0f} {shown:>12.0f} {runs[name]['charts']:>7}",
                  flush=True)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.browser", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--projects", type=int, default=10_000)
    args = parser.parse_args(argv)
    print("Page timings (median of 3 warm runs; target: server run < 300 ms on the demo data)")
    with tempfile.TemporaryDirectory(prefix="xzpages-") as scratch:
        folder = Path(scratch)
        measure("示例数据，113 个项目", demo_db(folder), "2020-08")
        district = folder / "district.duckdb"
        synthetic.district(district, args.projects)
        measure(f"合成数据，{args.projects:,} 个项目", district, "2020-08")
    return 0


if __name__ == "__main__":
    sys.exit(main())

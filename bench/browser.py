"""Page timings: the server-side run of each page (AppTest, warm) and, in headless Chromium,
from navigation to the last chart drawn, on the demo data and on a 10,000-project district.

    python -m bench.browser [--projects 10000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import synthetic
from tests.browser import CHROMIUM_ARGS, ROOT, demo_db, settled, streamlit_server

PAGES = {
    "总览": ("pages/overview.py", "/"),
    "投资完成": ("pages/completion.py", "/completion"),
    "进度滞后": ("pages/lag.py", "/lag"),
    "亮灯地图": ("pages/lightmap.py", "/lightmap"),
    "红旗/预警": ("pages/evaluation.py", "/evaluation"),
    "项目详情": ("pages/project.py", "/project?project=1"),
    "月度通报": ("pages/report.py", "/report"),
}
RUNS = 3


def server_ms(database: Path, script: str, month: str) -> float:
    """Median warm run of one page under AppTest (the same process a server runs it in)."""
    from streamlit.testing.v1 import AppTest

    os.environ["XZ_DB"] = str(database)
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=120)
    at.query_params.update(month=month)
    at.run()
    at.switch_page(script).run()  # warm: caches filled
    if any(t.label == "密码" for t in at.text_input):
        raise SystemExit(f"{script} showed the login form: the timings would be the login page's")
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def browser_ms(url: str, path: str, month: str) -> float:
    """Median time from navigation to the page settled with every chart drawn (warm server)."""
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
            page.wait_for_function(
                """() => [...document.querySelectorAll('.js-plotly-plot')]
                        .every(p => p.querySelector('.main-svg'))""",
                timeout=120000,
            )
            if run:  # the first visit warms the server's caches
                times.append((time.perf_counter() - start) * 1000)
            page.close()
        chromium.close()
    return statistics.median(times)


def _anonymous_viewing(database: Path) -> None:
    """Open the pages to visitors, as the demo is, so that the figures are measured, not a
    login form (a synthetic database starts with no accounts)."""
    from xzcore import auth, db, settings

    with db.connect(database) as con:
        settings.set_anonymous_viewing(con, True, actor=auth.SYSTEM)


def measure(label: str, database: Path, month: str) -> None:
    print(f"{label}（{month}）", flush=True)
    print(f"  {'page':<8} {'server run ms':>14} {'browser ms':>12}")
    with streamlit_server(database) as url:
        for name, (script, path) in PAGES.items():
            server = server_ms(database, script, month)
            shown = browser_ms(url, path, month)
            print(f"  {name:<8} {server:>14.0f} {shown:>12.0f}", flush=True)


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
        synthetic.build(district, args.projects)
        _anonymous_viewing(district)
        measure(f"合成数据，{args.projects:,} 个项目", district, "2020-08")
    return 0


if __name__ == "__main__":
    sys.exit(main())

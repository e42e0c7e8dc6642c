"""Faults tried on purpose against a running dashboard, in a real browser: a truncated database
file at start, the file made read-only while the server runs, the server killed during a commit
started from the page, and the 13.6 MB workbook of issue 12 uploaded while another session
keeps reading. Screenshots in test-artifacts/faults_*.png.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from pathlib import Path

import pytest

from tests.bound_files import ones
from tests.browser import screenshot, server_process, settled
from tests.cycle_files import SEP, report
from tests.logins import log_in_browser, session_cookie
from tests.upload_files import OFFICE, dump, load
from xzcore.ingest import limits
from xzcore.store import db, faults

pytestmark = pytest.mark.browser
WAIT = 30000
SIZES = {"1920x1080": (1920, 1080), "390x844": (390, 844)}
# Words of a Python traceback or of DuckDB that must never reach a visitor's screen
LEAKS = ("Traceback", "IOException", "duckdb", "Error:", ".py", "/tmp/")
# What the server itself keeps, which a fault must not change: everything but the bookkeeping
# of logging in (sessions) and of what was tried (the audit log)
KEPT_ASIDE = ("sessions", "audit_log", "users")
# Root may write any file whatever its mode: the server of the read-only test runs without
# that power, as a service account would
NO_OVERRIDE = (
    "setpriv",
    "--bounding-set=-dac_override,-dac_read_search",
    "--inh-caps=-dac_override,-dac_read_search",
)


def _figures(path: Path) -> dict[str, str]:
    with db.connect(path) as con:
        return {k: v for k, v in dump(con, figures_only=True).items() if k not in KEPT_ASIDE}


def _page(browser, size: str = "1920x1080"):
    width, height = SIZES[size]
    return browser.new_page(viewport={"width": width, "height": height})


def _no_leak(page) -> None:
    body = page.inner_text("body")
    assert not [w for w in LEAKS if w in body], body
    assert page.locator('[data-testid="stException"]').count() == 0


def _upload(page, url: str, name: str, payload: bytes) -> None:
    log_in_browser(page, url, "office")
    page.goto(f"{url}/upload")
    page.get_by_text("上传记录").first.wait_for(timeout=WAIT)
    files = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    files.set_input_files({"name": name, "mimeType": "text/csv", "buffer": payload})


def test_a_truncated_database_shows_a_chinese_page_and_logs_the_details(
    demo_template, tmp_path, browser
):
    path = tmp_path / "truncated.duckdb"
    path.write_bytes(demo_template.read_bytes()[:3000])  # a copy cut short
    log = tmp_path / "server.log"
    with server_process(path, log=log) as (url, _):
        for size in SIZES:
            page = _page(browser, size)
            page.goto(url)
            page.get_by_text("看板暂时无法显示").wait_for(timeout=WAIT)
            settled(page)
            assert faults.CORRUPT in page.inner_text("body")
            assert "故障编号" in page.inner_text("body")
            _no_leak(page)
            screenshot(page, f"faults_truncated_{size}")
            page.close()
    logged = log.read_text()
    assert "数据库故障（编号" in logged and "Could not read enough bytes" in logged


def test_the_file_made_read_only_while_the_server_runs_refuses_the_upload_and_keeps_serving(
    demo_template, tmp_path, browser
):
    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "demo.duckdb"
    shutil.copy(demo_template, path)
    september = report(path, SEP)
    before = _figures(path)
    with server_process(path, prefix=NO_OVERRIDE) as (url, _):
        # logged in before the server started: a login would write, and once a write has
        # opened DuckDB's log file the server goes on writing through it whatever the modes
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        context.add_cookies([session_cookie(path, "office", url)])
        page = context.new_page()
        page.goto(url)  # the server opens the file (read-write) at its first page
        page.locator(".js-plotly-plot").first.wait_for(timeout=WAIT)
        path.chmod(0o444)  # what an administrator's chmod or a remount leaves behind
        folder.chmod(0o555)
        try:
            page.goto(f"{url}/upload")
            page.get_by_text("上传记录").first.wait_for(timeout=WAIT)
            files = page.locator('[data-testid="stFileUploader"] input[type="file"]')
            files.set_input_files(
                {"name": "9月月报.csv", "mimeType": "text/csv", "buffer": september}
            )
            page.get_by_text(faults.READ_ONLY).wait_for(timeout=WAIT)
            settled(page)
            _no_leak(page)
            screenshot(page, "faults_read_only_upload_1920x1080")
            page.goto(url)  # the figures are still served
            page.locator(".js-plotly-plot").first.wait_for(timeout=WAIT)
            _no_leak(page)
            context.close()
        finally:
            folder.chmod(0o755)
            path.chmod(0o644)
    assert _figures(path) == before


def _register(projects: int) -> bytes:
    """New projects of the office's register: long enough a commit to be killed during it."""
    lines = ["项目代码,项目名称,责任单位,年度计划投资,计划开工日期"]
    lines += [f"K{i:05d},测试项目{i:05d},区发改局,{12000 + i},2020-01-15" for i in range(projects)]
    return "\n".join(lines).encode("gbk")


def test_the_server_killed_during_a_commit_from_the_page_leaves_before_or_after(
    demo_template, tmp_path, browser
):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    payload = _register(4000)
    before = _figures(path)
    done = tmp_path / "done.duckdb"  # the same file committed whole, to compare with
    shutil.copy(demo_template, done)
    with db.connect(done) as con:
        load(con, payload, "2020年计划表.csv", user=OFFICE)
    after = _figures(done)
    assert after != before

    with server_process(path) as (url, proc):
        page = _page(browser)
        _upload(page, url, "2020年计划表.csv", payload)
        page.wait_for_function(
            "() => [...document.querySelectorAll('button')].some("
            "b => b.innerText.includes('确认导入') && !b.disabled)",
            timeout=60000,
        )
        page.get_by_role("button", name="确认导入").click()
        page.get_by_text("正在写入数据库").wait_for(timeout=WAIT)
        proc.kill()  # SIGKILL: no clean-up of any kind
        proc.wait(timeout=30)
        page.close()
    with server_process(path) as (url, _):  # restarted on the same file
        page = _page(browser)
        page.goto(url)
        page.locator(".js-plotly-plot").first.wait_for(timeout=60000)
        _no_leak(page)
        page.close()
    assert _figures(path) in (before, after)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_the_issues_13_mb_workbook_is_refused_while_another_session_keeps_reading(
    demo_template, tmp_path, browser
):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    bomb = ones(5_000_000, 60)  # 5,000,000 rows × 60 cells of 1, as in the issue
    assert 12 * 2**20 < len(bomb) < limits.max_upload_mb() * 2**20  # passes the size limit
    with server_process(path) as (url, proc):
        reader = _page(browser)
        closed = []
        reader.on("websocket", lambda ws: ws.on("close", lambda _: closed.append(ws.url)))
        reader.goto(url)
        reader.locator(".js-plotly-plot").first.wait_for(timeout=60000)
        peak, watching = [_rss_mb(proc.pid)], threading.Event()

        def watch():
            while not watching.wait(0.05):
                peak.append(_rss_mb(proc.pid))

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            uploader = _page(browser)
            log_in_browser(uploader, url, "office")
            uploader.goto(f"{url}/upload")
            uploader.get_by_text("上传记录").first.wait_for(timeout=WAIT)
            sending = []  # the browser's request carrying the file (Playwright's own hand-over
            # of 13.6 MB to the browser before it is no part of what a user waits for)
            uploader.on("request", lambda r: "/upload_file/" in r.url and sending.append(r))
            uploader.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
                {"name": "9月月报.xlsx", "mimeType": "application/octet-stream", "buffer": bomb}
            )
            uploader.get_by_text(re.compile("超过上限")).wait_for(timeout=WAIT)
            took = time.time() - sending[0].timing["startTime"] / 1000
            # meanwhile the reader goes from page to page and each one draws
            for link in ("进度滞后", "红旗/预警", "总览"):
                reader.get_by_role("link", name=link).click()
                settled(reader)
                assert reader.locator('[data-testid="stException"]').count() == 0
        finally:
            watching.set()
            watcher.join()
        message = uploader.inner_text("body")
        screenshot(uploader, "faults_bomb_refused_1920x1080")
    assert "无法读取“9月月报.xlsx”" in message and "超过上限" in message
    assert took < 10, took
    assert max(peak) < 1024, max(peak)
    assert closed == []  # the reader's connection never dropped

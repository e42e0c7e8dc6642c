"""A real `streamlit run` on a demo database, for the browser tests (Chromium is in conftest)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
PRESENT_SPEEDUP = 10  # the shared server's slides turn every 1.5/3/6 s instead of 15/30/60 s
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _env(db: Path) -> dict[str, str]:
    return os.environ | {"XZ_DB": str(db), "PYTHONPATH": str(ROOT)}


def demo_copy(template: Path, directory: Path) -> Path:
    """A copy of the session's demo database (conftest's demo_template, built once through
    xzcore.demo as `python -m xzcore demo` builds it; test_cli runs that command itself), for a
    server whose test changes data."""
    db = directory / "demo.duckdb"
    shutil.copy(template, db)
    return db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(db: Path) -> Iterator[str]:
    """The dashboard on a free port over the given database; yields its base URL."""
    with server_process(db) as (url, _):
        yield url


@contextlib.contextmanager
def server_process(
    db: Path, prefix: tuple[str, ...] = (), log: Path | None = None, env: dict | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """streamlit_server, yielding the process too (for the tests that kill it); prefix: a
    command the server runs under (setpriv, to drop root's power over file modes); log: where
    its output goes (the server's log, which the fault tests read); env: more variables."""
    port = _free_port()
    out = log.open("wb") if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen(
        [*prefix, sys.executable, "-m", "streamlit", "run", "dashboard.py",
         "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT,
        env=_env(db) | (env or {}),
        stdout=out,
        stderr=subprocess.STDOUT if log is not None else subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("streamlit did not start within 60 s")
                time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log is not None:
            out.close()


@dataclasses.dataclass(frozen=True)
class Site:
    """A running dashboard: its URL and, for each demo account, the cookie of a session opened
    in its database before it started (a browser that logged in yesterday)."""

    url: str
    cookies: dict[str, dict]

    def page(self, browser, who: str | None = None, **options):
        """A new page in a context of its own, signed in as `who` (None: a visitor)."""
        options.setdefault("viewport", {"width": 1920, "height": 1080})
        context = browser.new_context(**options)
        if who is not None:
            context.add_cookies([self.cookies[who] | {"url": self.url}])
        return context.new_page()


def settled(page, timeout: float = 30000) -> None:
    """Wait until the script run is over and every lazily loaded widget has been drawn."""
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.dataset.testScriptState === "notRunning"
                && !document.querySelector('[data-testid^="stSkeleton"]')
                && !document.querySelector('[data-testid="stAppSkeleton"]');
        }""",
        timeout=timeout,
    )


def screenshot(page, name: str, top: bool = False) -> None:
    """A screenshot once the page has settled, for a person to look at; top: scrolled up first
    (Streamlit scrolls its main block, not the page, so a click can leave the top out of view).
    """
    settled(page)
    if top:
        page.locator('[data-testid="stMain"]').evaluate("main => main.scrollTo(0, 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


MENU = '[data-testid="stSidebar"] [data-testid="stPageLink"]'


def menu_titles(page) -> list[str]:
    """The pages the sidebar menu offers (each link's text after its icon's name)."""
    return [t.split("\n")[-1].strip() for t in page.locator(MENU).all_inner_texts()]

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


class Tabs:
    """A visitor's tabs, kept open from test to test in this process (conftest's `tabs`): a new
    tab costs Chromium about 1.5 s of CPU to start Streamlit's front end in a fresh renderer,
    going to a page in an open tab about 0.5 s (measured on the 2-core test machine). One tab a
    kind: a screen (its viewport set for each test) and a phone (touch, 390×844). A test takes
    one, goes to its page (a new Streamlit session) and leaves it open; the page's storage is
    cleared first (Streamlit keeps the sidebar's state there). A test that signs in, listens to
    the page's events or needs a context of its own opens one."""

    def __init__(self, browser):
        self._browser, self._open = browser, {}

    def screen(self, width: int = 1920, height: int = 1080):
        return self._tab(False, width, height)

    def phone(self):
        return self._tab(True, 390, 844)

    def _tab(self, touch: bool, width: int, height: int):
        page = self._open.get(touch)
        if page is None or page.is_closed():
            context = self._browser.new_context(
                viewport={"width": width, "height": height}, has_touch=touch, is_mobile=touch
            )
            page = self._open[touch] = context.new_page()
            return page
        if page.url.startswith("http"):
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        page.set_viewport_size({"width": width, "height": height})
        page.mouse.move(0, 0)
        return page


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


# Counts the changes of the script's run state in this document from now on.
_WATCH_RUNS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__xzRuns = 0;
    new MutationObserver((changes) => { window.__xzRuns += changes.length; })
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def after_a_rerun(page, action, timeout: float = 60000) -> None:
    """Do `action` (a widget's change that reruns the script: a choice, a button) and wait until
    the run it started is over and drawn. settled() alone may pass before that run begins, on
    what the run before drew (the widgets of the form being replaced, say)."""
    settled(page, timeout)
    page.evaluate(_WATCH_RUNS)
    action()
    page.wait_for_function("() => window.__xzRuns > 0", timeout=timeout)
    settled(page, timeout)


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


def via_menu(page, title: str, timeout: float = 60000) -> None:
    """Open the menu's page `title` with a click, as a user does (cheaper than page.goto, which
    loads the front end anew), and wait until the run drawing it is over: its title is the
    page's heading, which no run before drew, and the script is no longer running."""
    settled(page, timeout)
    page.locator(MENU).get_by_text(title, exact=True).click()
    page.wait_for_function(
        """t => [...document.querySelectorAll('[data-testid="stMain"] h1')]
            .some((h) => h.innerText.trim() === t)""",
        arg=title,
        timeout=timeout,
    )
    settled(page, timeout)


def menu_titles(page) -> list[str]:
    """The pages the sidebar menu offers (each link's text after its icon's name)."""
    return [t.split("\n")[-1].strip() for t in page.locator(MENU).all_inner_texts()]

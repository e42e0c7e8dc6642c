"""Tiny hand-made databases, built from Python literals (never a checked-in binary)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from xzcore.auth.accounts import CHEAP_FOR_TESTS
from xzcore.store import db

# Cheap password hashing for every test and every server or CLI process a test starts (they
# inherit the environment); the production cost is checked once in test_auth.
os.environ[CHEAP_FOR_TESTS] = "1"
# No daily backup thread in the pages and servers of the tests but test_autobackup's.
os.environ["XZ_BACKUP_TIME"] = "off"

_DEFAULTS = {
    "code": None,
    "tier": "省重点",
    "category": "先进制造业",
    "township": "新城街道",
    "unit": "区发改局",
    "leader": "常务副区长",
    "owner": None,
    "build_type": "续建",
    "total_investment": None,
    "planned_start": None,
    "planned_completion": None,
    "actual_start": dt.date(2019, 6, 1),
    "actual_completion": None,
}


def build(con, projects: list[dict], year: int = 2020) -> dict[str, int]:
    """Insert projects (each with name, plan, optional ytd={month: value}, targets={month: cum}).

    Returns name → id. One register batch and one progress batch per month, as imports make.
    """
    con.execute(
        "INSERT INTO batches (kind, file_name, sha256, year, row_count, user_name) "
        "VALUES ('register', 'test.csv', 'x', ?, ?, 'test')",
        [year, len(projects)],
    )
    ids = {}
    for spec in projects:
        row = _DEFAULTS | {k: v for k, v in spec.items() if k in _DEFAULTS or k == "name"}
        cols = list(row)
        pid = db.next_ids(con, "project_id_seq", 1)[0]
        con.execute(
            f"INSERT INTO projects (id, {', '.join(cols)}) "
            f"VALUES (?, {', '.join('?' * len(cols))})",
            [pid, *row.values()],
        )
        ids[spec["name"]] = pid
        con.execute(
            "INSERT INTO annual_plans (project_id, year, plan) VALUES (?, ?, ?)",
            [pid, year, Decimal(str(spec["plan"]))],
        )
        for month, cum in spec.get("targets", {}).items():
            con.execute(
                "INSERT INTO monthly_targets VALUES (?, ?, ?, ?)",
                [pid, year, month, Decimal(str(cum))],
            )
        for month, ytd in spec.get("ytd", {}).items():
            con.execute(
                "INSERT INTO progress (project_id, year, month, ytd, stage, batch_id) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    pid,
                    year,
                    month,
                    Decimal(str(ytd)),
                    spec.get("stage"),
                    _month_batch(con, year, month),
                ],
            )
    return ids


def _month_batch(con, year: int, month: int) -> int:
    """The progress batch of a month, created on first use, as a monthly upload would."""
    found = con.execute(
        "SELECT id FROM batches WHERE kind = 'progress' AND year = ? AND month = ?", [year, month]
    ).fetchone()
    if found:
        return found[0]
    batch = db.next_ids(con, "batch_id_seq", 1)[0]  # no RETURNING through PostgreSQL
    con.execute(
        "INSERT INTO batches (id, kind, file_name, sha256, year, month, row_count, user_name) "
        "VALUES (?, 'progress', 'test.csv', 'x', ?, ?, 0, 'test')",
        [batch, year, month],
    )
    return batch


@pytest.fixture
def con(tmp_path):
    connection = db.connect(tmp_path / "t.duckdb", create=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium under Playwright (never a downloaded browser), for tests marked browser:
    one per test process (each xdist worker); every test opens its own pages or contexts."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def tabs(browser):
    """A visitor's tabs kept open from test to test (tests/browser.Tabs): tab.screen(w, h),
    tabs.phone()."""
    from tests.browser import Tabs

    return Tabs(browser)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo database, built once for the whole run (through ingest, as `xzcore demo` does)."""
    from xzcore import demo

    path = tmp_path_factory.mktemp("demo_template") / "demo.duckdb"
    demo.build(path, Path(__file__).resolve().parent.parent / "data" / "demo")
    return path


@pytest.fixture(scope="module")
def demo_db(demo_template, tmp_path_factory) -> Path:
    """A module's own copy of the demo database (pages open their file read-write)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def demo_con(demo_template, tmp_path):
    """A read-write connection to a test's own copy of the demo database (months 1-8
    published, September due)."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    with db.connect(path) as connection:
        yield connection


@pytest.fixture
def app_db(demo_template, tmp_path, monkeypatch) -> Path:
    """A test's own copy of the demo database, which the pages under AppTest open (XZ_DB)."""
    import streamlit as st

    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    monkeypatch.setenv("XZ_DB", str(path))
    # Cached figures are keyed on the data version, which is alike in every fresh copy.
    st.cache_data.clear()
    return path


@pytest.fixture(scope="session")
def demo_site(demo_template, tmp_path_factory):
    """The dashboard over a copy of the demo database, one per test process (each xdist
    worker), for the browser tests that only look (signing in included): started once, its
    caches warm from test to test. A test that changes figures, settings or accounts starts a
    server of its own. Each demo account has a session opened before the start (Site.cookies);
    the presentation's 15/30/60 s last a tenth as long here (XZ_PRESENT_SPEEDUP, ui/present.py).
    """
    from tests.browser import ARTIFACTS, PRESENT_SPEEDUP, Site, server_process
    from tests.logins import session_cookie
    from xzcore.demo import ACCOUNTS

    path = tmp_path_factory.mktemp("demo_site") / "demo.duckdb"
    shutil.copy(demo_template, path)
    cookies = {who: session_cookie(path, who, "http://127.0.0.1") for who, *_ in ACCOUNTS}
    # its log beside the screenshots: a page that crashed shows only Streamlit's bare notice
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"demo_site_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"
    env = {"XZ_PRESENT_SPEEDUP": str(PRESENT_SPEEDUP)}
    with server_process(path, log=log, env=env) as (url, _):
        yield Site(url, cookies)

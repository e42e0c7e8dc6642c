"""A commit killed with SIGKILL half-way through its transaction leaves a PostgreSQL store whole
(test_ingest_kill and test_browser_faults do the same for a DuckDB file): the batch table and
the progress rows are as before, the store's write lock (a PostgreSQL advisory lock) is free
again, so that the next import commits, and no backend of the killed process is left behind.

The killed process is a real `python -m xzcore --db postgres:… import`, or a real dashboard
server committing an upload from its page, changed in nothing. To catch it in the middle of its
transaction, the test holds a SHARE lock on light_snapshots, which a commit writes
(refresh_lights) only after every batch and progress row: the commit stops there, its rows
written but not committed, and PostgreSQL says so (pg_locks). Then the process is killed.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import sys
from collections.abc import Iterator

import psycopg
import pytest

from tests.browser import Site, server_process
from tests.cycle_files import SEP, report
from tests.logins import session_cookie
from tests.pg_fixtures import (
    backends,
    cli,
    cli_here,
    cli_start,
    demo_archive,
    demo_store,
    lock_holders,
    lock_waiters,
    sql,
    store_rows,
    target,
    wait_for,
)
from tests.pgserver import PgServer
from tests.test_ingest_kill import PROJECTS, _january, _register
from tests.upload_files import load
from xzcore.store import db

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
WAIT = 60000

# A backend of the process named app, in a transaction that has written batches and progress
# rows (it holds their ROW EXCLUSIVE locks and a transaction id), now waiting for
# light_snapshots.
CAUGHT = """
SELECT a.pid FROM pg_stat_activity a
 WHERE a.application_name = %(app)s AND a.backend_xid IS NOT NULL
   AND EXISTS (SELECT FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted
               AND l.relation = 'main.light_snapshots'::regclass)
   AND (SELECT count(*) FROM pg_locks l WHERE l.pid = a.pid AND l.granted
        AND l.mode = 'RowExclusiveLock'
        AND l.relation IN ('main.batches'::regclass, 'main.progress'::regclass)) = 2
"""

# What PostgreSQL logs as it ends a backend whose client died in the middle of a transaction:
# waiting in a statement, the backend finds the client gone at its next read; waiting in a COPY
# (the snapshot rows streamed in), the stream cut short
ENDED = (
    r"LOG:  unexpected EOF on client connection with an open transaction"
    r"|FATAL:  terminating connection because protocol synchronization was lost"
)


@pytest.fixture
def pg_demo() -> bytes:
    """The demo built into PostgreSQL by the command line (once per test process)."""
    return demo_archive()


@contextlib.contextmanager
def _light_snapshots_held(pg: PgServer) -> Iterator[None]:
    """light_snapshots locked against writers (readers go on) while the block runs."""
    gate = psycopg.connect(pg.conninfo)  # a transaction of its own, held open
    try:
        gate.execute("LOCK TABLE main.light_snapshots IN SHARE MODE")
        yield
    finally:
        gate.rollback()  # a killed process's backend still waiting may now go on
        gate.close()


def _caught(pg: PgServer, app: str) -> int:
    """Wait until app is in the middle of its commit, holding the store's write lock; its
    backend's pid."""
    (pid,) = wait_for(
        f"{app} in its transaction, rows written, waiting for light_snapshots",
        lambda: sql(pg, CAUGHT, {"app": app}),
        timeout=120,
    )[0]
    assert [name for _, name in lock_holders(pg)] == [app]
    return pid


def _all_gone(pg: PgServer, app: str, pid: int) -> None:
    """PostgreSQL has ended every backend of the dead process (the one in its transaction once
    the test let it go on and it found its client gone), rolled the transaction back, and freed
    the write lock."""
    wait_for(f"no backend of the killed {app}", lambda: not backends(pg, app), 30)
    assert lock_holders(pg) == [] and lock_waiters(pg) == []
    with open(pg.log_file, errors="replace") as log:  # the server's own word for it
        said = [line for line in log if f" [{pid}] " in line]
    assert any(re.search(ENDED, line) for line in said), said


def _actions(con) -> list[tuple]:
    return con.execute("SELECT actor, action FROM audit_log ORDER BY id").fetchall()


def _batches(store: str) -> list[dict]:
    return json.loads(cli_here(store, "batches", "--json"))


def test_sigkill_in_the_middle_of_an_import_leaves_the_postgresql_store_whole(tmp_path):
    with PgServer(dbname="xz") as pg:
        store = target(pg)
        con = db.connect(store)
        try:
            load(con, _register(), "2020年计划表.csv")
            load(con, _january(1000), "2020年1月月报.csv")
            before = store_rows(con, skip=("audit_log",))
            audit = _actions(con)
        finally:
            con.close()
        listed = _batches(store)
        assert [b["id"] for b in listed] == [2, 1]
        correction = tmp_path / "2020年1月月报更正.csv"
        correction.write_bytes(_january(5000))  # every one of the 3,000 rows changes

        killed = "xz-killed-import"  # the application_name of its every connection
        with _light_snapshots_held(pg):
            child = cli_start(target(pg, killed), "import", str(correction))
            try:
                pid = _caught(pg, killed)
                child.send_signal(signal.SIGKILL)
                assert child.wait(timeout=30) == -signal.SIGKILL, child.stderr.read()
            finally:
                if child.poll() is None:
                    child.kill()
                    child.wait()
        _all_gone(pg, killed, pid)

        con = db.connect(store, read_only=True)
        try:
            assert store_rows(con, skip=("audit_log",)) == before
            # the audit log holds what was tried: the file read (written before the commit
            # began, as for any upload), no commit
            assert _actions(con) == [*audit, ("cli:root", "upload")]
            found = con.execute("SELECT count(*), min(ytd), max(ytd) FROM progress").fetchone()
            assert found == (PROJECTS, 1000, 1096)
        finally:
            con.close()
        assert _batches(store) == listed

        # not only whole but usable: the same file, imported again, commits
        done = cli(store, "import", str(correction), timeout=120)
        assert "已导入" in done.stdout, done.stdout
        con = db.connect(store, read_only=True)
        try:
            found = con.execute("SELECT min(ytd), max(ytd) FROM progress").fetchone()
            assert found == (5000, 5096)
        finally:
            con.close()
        after = _batches(store)
        assert len(after) == 3 and after[1:] == listed, after
        assert lock_holders(pg) == []


@pytest.mark.browser
def test_a_server_killed_in_the_middle_of_a_commit_leaves_the_postgresql_store_whole(
    pg_demo, tmp_path, browser
):
    with demo_store(pg_demo) as pg:
        store = target(pg)
        unit = "洪合镇人民政府"
        upload = tmp_path / f"{unit}9月月报.csv"
        with db.connect(store) as con:
            upload.write_bytes(report(con, SEP, unit))
        cookies = {"office": session_cookie(store, "office", "http://127.0.0.1")}
        # the server also keeps sessions and the audit log of what was tried: aside
        aside = ("audit_log", "sessions")
        with db.connect(store, read_only=True) as con:
            before = store_rows(con, skip=aside)
            audit = _actions(con)
        listed = _batches(store)

        killed = "xz-killed-server"
        with server_process(target(pg, killed)) as (url, proc):
            context = None
            try:
                page = Site(url, cookies).page(browser, "office")
                context = page.context
                page.goto(f"{url}/upload")
                page.get_by_text("上传记录").first.wait_for(timeout=WAIT)
                page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
                    str(upload)
                )
                page.get_by_text("没有发现问题，可以导入。").wait_for(timeout=WAIT)
                page.wait_for_function(
                    "() => [...document.querySelectorAll('button')].some("
                    "b => b.innerText.includes('确认导入') && !b.disabled)",
                    timeout=WAIT,
                )
                with _light_snapshots_held(pg):
                    page.get_by_role("button", name="确认导入").click()
                    pid = _caught(pg, killed)
                    proc.kill()  # SIGKILL: no clean-up of any kind
                    assert proc.wait(timeout=30) == -signal.SIGKILL
            finally:
                if context is not None:
                    context.close()
        _all_gone(pg, killed, pid)

        with db.connect(store, read_only=True) as con:
            assert store_rows(con, skip=aside) == before
            tried = _actions(con)[len(audit) :]
            assert tried == [("office", "upload")], tried  # the file read; no commit
        assert _batches(store) == listed

        # the write lock is free: another process commits the same file
        done = cli(store, "import", str(upload), timeout=120)
        assert re.search(r"已导入，批次#\d+", done.stdout), done.stdout
        assert len(_batches(store)) == len(listed) + 1
        assert lock_holders(pg) == []

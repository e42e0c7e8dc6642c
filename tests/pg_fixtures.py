"""PostgreSQL stores for the tests of the shared store (test_store_servers, test_store_kill):
the demo built once per run by `python -m xzcore --db postgres:… demo` and kept as a pg_dump
archive, restored into each test's own throwaway server (tests/pgserver.py); the command line
run against a store; what PostgreSQL itself says about who holds the write lock and which
backends are left; and the store's rows, to compare before and after.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import pwd
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import pgserver
from tests.pgserver import PgServer
from xzcore.store import postgres

ROOT = Path(__file__).resolve().parent.parent
# The one advisory lock every writer of the store takes (a bigint key: pg_locks shows its high
# half as classid, its low half as objid, objsubid 1)
LOCK = {"classid": postgres.LOCK_KEY >> 32, "objid": postgres.LOCK_KEY & 0xFFFF_FFFF}
ADVISORY = "locktype = 'advisory' AND classid = %(classid)s AND objid = %(objid)s AND objsubid = 1"


def target(pg: PgServer, app: str | None = None) -> str:
    """The store as --db and XZ_DB take it; app: the application_name every connection of the
    process then carries (the DuckDB extension's and the write lock's alike), by which
    pg_stat_activity tells that process's backends from the rest."""
    return f"postgres:{pg.conninfo}" + (f" application_name={app}" if app else "")


def _pg_program(pg: PgServer, name: str, *args: str, data: bytes | None = None) -> bytes:
    """A PostgreSQL program of the server's installation, as `postgres` when we are root (as
    pgserver runs them), bytes in and out."""
    options = {}
    if os.geteuid() == 0:
        options = {"user": pgserver.PG_USER, "group": pwd.getpwnam(pgserver.PG_USER).pw_gid,
                   "extra_groups": []}  # fmt: skip
    done = subprocess.run(
        [os.path.join(pg.bindir, name), "-h", pg.sock_dir, "-p", str(pg.port),
         "-U", pgserver.PG_USER, *args],
        input=data, capture_output=True, env=pgserver._env(), cwd=pg.base_dir, timeout=120,
        **options,
    )  # fmt: skip
    if done.returncode != 0:
        raise AssertionError(f"{name} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return done.stdout


def cli(store: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m xzcore --db <store> …` in a process of its own; must succeed."""
    done = subprocess.run(
        [sys.executable, "-m", "xzcore", "--db", str(store), *args],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done


def cli_here(store: str, *args: str) -> str:
    """The same command run in this process (the main() that `python -m xzcore` runs, without
    a process's start-up): its output; must succeed. Where no other process is the point: a
    write to the shared store that a test is about comes from a process of its own (cli)."""
    from xzcore.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", str(store), *args])
    assert code == 0, (args, err.getvalue())
    return out.getvalue()


def cli_start(store: str, *args: str) -> subprocess.Popen:
    """The same command started and left running (the caller waits for it, or kills it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "xzcore", "--db", str(store), *args],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _env() -> dict:
    return os.environ | {"PYTHONPATH": str(ROOT)}


@functools.cache
def demo_archive() -> bytes:
    """The demo store, built once per test process the way a person builds it
    (`python -m xzcore --db postgres:… demo`), as a pg_dump archive (custom format)."""
    with PgServer(dbname="xz") as pg:
        cli(target(pg), "demo", timeout=600)
        return _pg_program(pg, "pg_dump", "-Fc", pg.dbname)


@contextlib.contextmanager
def demo_store(archive: bytes) -> Iterator[PgServer]:
    """A PostgreSQL server of the test's own holding the demo (months 1-8 published, September
    being collected); stopped and removed afterwards, whatever happens."""
    with PgServer(dbname="xz") as pg:
        _pg_program(
            pg, "pg_restore", "--exit-on-error", "--no-owner", "-d", pg.dbname, data=archive
        )
        yield pg


def sql(pg: PgServer, query: str, params: dict | tuple = ()) -> list[tuple]:
    """A query run by PostgreSQL itself (not through DuckDB), on a connection of its own."""
    import psycopg

    with psycopg.connect(pg.conninfo, autocommit=True) as pc:
        return pc.execute(query, params).fetchall()


def backends(pg: PgServer, app: str) -> list[int]:
    """The backends serving connections named app (pg_stat_activity.application_name)."""
    return [
        pid
        for (pid,) in sql(
            pg, "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (app,)
        )
    ]


def lock_holders(pg: PgServer) -> list[tuple[int, str]]:
    """(pid, application_name) of the backend holding the store's write lock: none or one."""
    return sql(
        pg,
        "SELECT l.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
        f" WHERE {ADVISORY} AND l.granted",
        LOCK,
    )


def lock_waiters(pg: PgServer) -> list[tuple[int, str]]:
    """(pid, application_name) of the backends waiting for the store's write lock."""
    return sql(
        pg,
        "SELECT l.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
        f" WHERE {ADVISORY} AND NOT l.granted",
        LOCK,
    )


def wait_for(what: str, found: Callable, timeout: float = 60, every: float = 0.02):
    """Poll until found() is truthy; returns its value. Fails naming what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        value = found()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(every)


def store_rows(con, *, skip: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every table of the store (schema main and each published month's pub_… schema) as its
    sorted rows: equal results, equal tables. skip: tables left out."""
    tables = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables"
        " WHERE table_catalog = current_database()"
        " AND (table_schema = 'main' OR table_schema LIKE 'pub\\_%' ESCAPE '\\') ORDER BY ALL"
    ).fetchall()
    return {
        f"{schema}.{table}": con.execute(
            f'SELECT * FROM "{schema}"."{table}" ORDER BY ALL'
        ).fetchall()
        for schema, table in tables
        if table not in skip
    }

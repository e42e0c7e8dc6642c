"""The core and ingest tests on both stores: a module that imports `con_on_both_stores` runs each
of its tests that take `con` twice, on a fresh DuckDB file and on a fresh PostgreSQL database.

One throwaway PostgreSQL per test process (each xdist worker), started when first needed and
stopped when the process ends; one migrated template database, copied for every test
(CREATE DATABASE … TEMPLATE: a few hundred milliseconds instead of migrating again).
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pgserver import PgServer
from xzcore.store import db

_numbers = itertools.count(1)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def pg_server():
    with PgServer(dbname="xz_template") as server:
        # migrated once, by a process of its own: no connection may stay on a template
        target = "postgres:" + server.conninfo
        subprocess.run([sys.executable, "-m", "xzcore", "--db", target, "init"], check=True,
                       cwd=ROOT, capture_output=True)  # fmt: skip
        yield server


def _admin(server: PgServer):
    import psycopg

    return psycopg.connect(server.conninfo.replace("dbname=xz_template", "dbname=postgres"),
                           autocommit=True)  # fmt: skip


@pytest.fixture
def pg_target(pg_server):
    """A fresh, migrated PostgreSQL store of this test only: its `--db` / XZ_DB form."""
    name = f"t{next(_numbers)}"
    with _admin(pg_server) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE xz_template")
    yield "postgres:" + pg_server.conninfo.replace("dbname=xz_template", f"dbname={name}")
    with _admin(pg_server) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(params=["file", "postgres"], name="con")
def con_on_both_stores(request, tmp_path):
    if request.param == "file":
        target = tmp_path / "t.duckdb"
    else:
        target = request.getfixturevalue("pg_target")
    connection = db.connect(target, create=True)
    yield connection
    connection.close()

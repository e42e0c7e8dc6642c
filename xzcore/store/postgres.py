"""PostgreSQL as the shared store, with DuckDB still the engine: DuckDB opens the PostgreSQL
database through its postgres extension (`duckdb.connect("postgres:<libpq>")`), so every
cursor's default catalog is PostgreSQL and the same SQL runs on both stores.

Measured here (DuckDB 1.5.5, PostgreSQL 15):
- The extension ships on PyPI as duckdb-extension-postgres-scanner; DuckDB looks for it in an
  extension_directory laid out as <dir>/v<version>/<platform>/postgres_scanner.duckdb_extension,
  made below with a link to the installed file (nothing is downloaded).
- The tables live in a PostgreSQL schema named `main`, which DuckDB then takes for its own
  main: `main.<table>` and `SET search_path = 'pub_…,main'` (published months) work unchanged.
- Through the extension a transaction is REPEATABLE READ: two writers at once make the second
  fail ("could not serialize access"). A session advisory lock taken on a separate connection
  before the DuckDB transaction makes them take turns; PostgreSQL drops it when the holder dies.
- Not supported through it: CREATE SEQUENCE, DEFAULT nextval(…), RETURNING, ALTER … SET
  DEFAULT. Migrations send those to PostgreSQL itself (postgres_execute, in the transaction).
- A schema another process created (a month published there) is seen only after
  pg_clear_cache(); new columns are seen with pg_staleness_query_enabled.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from importlib import resources
from pathlib import Path

import duckdb

from xzcore.errors import XZError

PREFIX = "postgres:"
LOCK_KEY = 0x787A_636F_7265  # "xzcore": the one advisory lock every writer of the store takes

UNREACHABLE = "无法连接数据库服务器（PostgreSQL）：请稍后刷新页面；仍不行请联系管理员"


class DatabaseUnreachable(XZError):
    """The PostgreSQL server did not answer (down, restarting, wrong address)."""


def conninfo(target: str) -> str:
    return str(target)[len(PREFIX) :].strip()


def masked(target: str) -> str:
    """The target as it may be printed: a password never is."""
    said = re.sub(r"(password\s*=\s*)(\S+)", r"\1***", str(target))
    return re.sub(r"(://[^:/@]+:)[^@]+@", r"\1***@", said)


def _extension_dir() -> str:
    # The wheel keeps the file as extensions/v1.5.5/postgres_scanner.duckdb_extension; DuckDB
    # wants a platform folder between: a link in a folder of our own supplies it.
    installed = resources.files("duckdb_extension_postgres_scanner").joinpath(
        "extensions", f"v{duckdb.__version__}", "postgres_scanner.duckdb_extension"
    )
    platform = duckdb.execute("PRAGMA platform").fetchone()[0]
    base = Path(tempfile.gettempdir()) / f"xzcore-duckdb-extensions-{os.getuid()}"
    folder = base / f"v{duckdb.__version__}" / platform
    link = folder / "postgres_scanner.duckdb_extension"
    if not link.exists():
        folder.mkdir(parents=True, exist_ok=True)
        spare = link.with_name(f"{link.name}.{os.getpid()}")
        spare.unlink(missing_ok=True)
        spare.symlink_to(Path(str(installed)))
        os.replace(spare, link)  # two processes starting at once both end with a good link
    return str(base)


def connect(target: str, config: dict, *, read_only: bool = False):
    """DuckDB opened on the PostgreSQL database (its schema `main` made if missing)."""
    info = conninfo(target)
    if not read_only:
        with _direct(info) as pc:
            pc.execute("CREATE SCHEMA IF NOT EXISTS main")
    try:
        return duckdb.connect(
            PREFIX + info,
            read_only=read_only,
            config=config
            | {"extension_directory": _extension_dir(), "pg_staleness_query_enabled": True},
        )
    except duckdb.IOException as exc:
        if "unable to connect" in str(exc).lower():
            raise DatabaseUnreachable(UNREACHABLE) from None  # its text holds the password
        raise


def reset(target: str) -> None:
    """Empty the store (every table, every published month) for a fresh build: the demo's."""
    with _direct(conninfo(target)) as pc:
        pc.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])  # after any writer; until closed
        found = pc.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = 'main' OR nspname LIKE 'pub\\_%'"
        ).fetchall()
        for (schema,) in found:
            pc.execute(f'DROP SCHEMA "{schema}" CASCADE')
        pc.execute("CREATE SCHEMA main")


def _direct(info: str):
    import psycopg  # only a PostgreSQL store needs it

    try:
        return psycopg.connect(info, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError:
        raise DatabaseUnreachable(UNREACHABLE) from None


# --- migrations ----------------------------------------------------------------------------
_SEQUENCE = re.compile(r"^CREATE SEQUENCE (\w+)( START \d+)?$", re.I)
_NEXTVAL = re.compile(r"\s+DEFAULT nextval\('(\w+)'\)", re.I)
_COLUMN_NEXTVAL = re.compile(r"^\s*(\w+)\s+\w+[^\n]*?DEFAULT nextval\('(\w+)'\)", re.M | re.I)


def _without_comments(sql: str) -> str:
    return "\n".join(line.split("--")[0] for line in sql.splitlines()).strip()


def run_migration(con, sql: str) -> None:
    """A migration script through the extension, inside the caller's transaction: sequences
    and the defaults that use them go to PostgreSQL itself, the rest as written."""
    for statement in con.extract_statements(
        sql.replace("DEFAULT []", "DEFAULT ARRAY[]::VARCHAR[]")
    ):
        query = _without_comments(statement.query)
        found = _SEQUENCE.match(query)
        if found:
            execute(con, f"CREATE SEQUENCE main.{found.group(1)}{found.group(2) or ''}")
            continue
        defaults = []
        if query.upper().startswith("CREATE TABLE"):
            table = re.match(r"CREATE TABLE (\w+)", query, re.I).group(1)
            defaults = [
                f"ALTER TABLE main.{table} ALTER COLUMN {column} "
                f"SET DEFAULT nextval('main.{sequence}')"
                for column, sequence in _COLUMN_NEXTVAL.findall(query)
            ]
            query = _NEXTVAL.sub("", query)
        con.execute(query)
        for default in defaults:
            execute(con, default)


def execute(con, sql: str) -> None:
    """A statement DuckDB cannot send (DDL the extension lacks), run by PostgreSQL itself in
    the connection's transaction."""
    con.execute("CALL postgres_execute(current_database(), ?)", [sql])


def next_ids(con, sequence: str, count: int) -> list[int]:
    found = con.execute(
        "SELECT * FROM postgres_query(current_database(), ?)",
        [f"SELECT nextval('main.{sequence}')::BIGINT FROM generate_series(1, {int(count)})"],
    ).fetchall()
    return [row[0] for row in found]


def clear_cache(con) -> None:
    """Forget the catalog the extension keeps: a schema made by another process shows."""
    con.execute("CALL pg_clear_cache()")


# --- the write lock ------------------------------------------------------------------------
class AdvisoryLock:
    """The store's write lock held by this process: one connection of its own, taken before a
    writer's transaction begins and given back after it ends (or when the process dies)."""

    def __init__(self, target: str):
        self._info = conninfo(target)
        self._held = None
        self._guard = threading.Lock()

    def acquire(self) -> None:
        with self._guard:
            for attempt in (1, 2):  # a connection the server dropped (restart) is made again
                if self._held is None or self._held.closed:
                    self._held = _direct(self._info)
                try:
                    self._held.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
                    return
                except Exception:
                    self._held.close()
                    self._held = None
                    if attempt == 2:
                        raise DatabaseUnreachable(UNREACHABLE) from None

    def release(self) -> None:
        with self._guard:
            if self._held is None:
                return
            try:
                self._held.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
            except Exception:  # the connection is gone, and the lock with it
                self._held.close()
                self._held = None

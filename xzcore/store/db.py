"""Open the DuckDB file, apply migrations, and run a block of work as one transaction."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb

from xzcore.errors import DatabaseLocked, DatabaseMissing

# What the store raises when a statement or the file fails: callers catch it without knowing
# the engine (the ui layer never imports duckdb).
DatabaseError = duckdb.Error

DEFAULT_DB = Path("data/xiuzhou.duckdb")

# Ordered list of migration scripts; the schema version of a database is how many have run.
MIGRATIONS = (
    "schema.sql", "schema_2.sql", "schema_3.sql", "schema_4.sql", "schema_5.sql", "schema_6.sql",
)  # fmt: skip

# No network on the servers: never let DuckDB try to fetch an extension.
_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database named on the command line, else $XZ_DB, else data/xiuzhou.duckdb."""
    return Path(explicit or os.environ.get("XZ_DB") or DEFAULT_DB)


def connect(path: str | os.PathLike, *, read_only: bool = False, create: bool = False):
    """Open (and migrate) the database, turning DuckDB's errors into Chinese ones."""
    path = Path(path)
    if not create and not path.exists():
        raise DatabaseMissing(f"数据库文件不存在：{path}（先运行 python -m xzcore demo 或 init）")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=_CONFIG)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseLocked(
                f"数据库 {path} 正被另一个进程（多半是运行中的看板）占用，请先关闭它再试"
            ) from exc
        raise
    if not read_only:
        before = schema_version(con)
        migrate(con)
        if 0 < before < 4:  # figures from before the monthly cycle: they were published already
            from xzcore.cycle.publish import adopt

            adopt(con)
    return con


def read_only(con) -> bool:
    """Whether the connection was opened read-only (the file or its disk could not be written)."""
    return bool(con.execute("SELECT current_setting('access_mode') = 'read_only'").fetchone()[0])


def schema_version(con) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con) -> int:
    """Run the migrations this database has not seen yet, each in its own transaction."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT current_timestamp)"
    )
    current = schema_version(con)
    for version, script in enumerate(MIGRATIONS, start=1):
        if version <= current:
            continue
        sql = resources.files("xzcore.store").joinpath(script).read_text(encoding="utf-8")
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    return len(MIGRATIONS)


@contextlib.contextmanager
def transaction(con) -> Iterator:
    """All or nothing: commit when the block ends normally, roll back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def data_version(con) -> str:
    """A token that changes whenever figures change; pages key their caches on it."""
    row = con.execute(
        "SELECT count(*), coalesce(max(id), 0), coalesce(max(epoch(undone_at)), 0) FROM batches"
    ).fetchone()
    settings = con.execute(
        "SELECT string_agg(key || '=' || value, ';' ORDER BY key) FROM settings"
    ).fetchone()[0]
    # publishing and reviews change what pages show without a batch; a remembered column
    # mapping changes how a file being previewed reads
    cycle = con.execute(
        "SELECT (SELECT count(*) FROM month_versions),"
        " (SELECT coalesce(max(epoch(reviewed_at)), 0) FROM unit_reviews),"
        " (SELECT count(*) || '.' || coalesce(max(epoch(created_at)), 0) FROM column_maps)"
    ).fetchone()
    return f"{row[0]}-{row[1]}-{row[2]}-{settings}-{cycle[0]}-{cycle[1]}-{cycle[2]}"

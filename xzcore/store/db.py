"""Open the store (a DuckDB file, or a PostgreSQL database through DuckDB: see postgres.py),
apply migrations, and run a block of work as one transaction, one writer at a time."""

from __future__ import annotations

import contextlib
import os
import re
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import duckdb

from xzcore.errors import DatabaseLocked, DatabaseMissing
from xzcore.store import postgres

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


def db_path(explicit: str | os.PathLike | None = None) -> Path | str:
    """The store named on the command line, else $XZ_DB, else [connections.xz] of
    .streamlit/secrets.toml, else data/xiuzhou.duckdb. A file is a Path; a PostgreSQL database
    is "postgres:<libpq conninfo or postgresql:// URL>"."""
    given = str(explicit or os.environ.get("XZ_DB") or _configured() or DEFAULT_DB)
    if given.startswith(("postgresql://", "postgres://")):
        given = postgres.PREFIX + given
    return given if is_postgres(given) else Path(given)


def is_postgres(target) -> bool:
    return str(target).startswith(postgres.PREFIX)


def shown(target) -> str:
    """The store as it may be printed or logged (no password)."""
    return postgres.masked(str(target))


def _configured() -> str | None:
    # Streamlit's st.connection style: [connections.xz] url = "postgresql://…", or its parts.
    secrets = Path(".streamlit/secrets.toml")
    if not secrets.exists():
        return None
    section = tomllib.loads(secrets.read_text(encoding="utf-8")).get("connections", {}).get("xz")
    if not section:
        return None
    if "url" in section:
        return postgres.PREFIX + section["url"]
    names = {"host": "host", "port": "port", "database": "dbname", "dbname": "dbname",
             "username": "user", "user": "user", "password": "password"}  # fmt: skip
    return postgres.PREFIX + " ".join(
        f"{names[k]}='{str(v).replace(chr(39), chr(92) + chr(39))}'"
        for k, v in section.items()
        if k in names
    )


def connect(path: str | os.PathLike, *, read_only: bool = False, create: bool = False):
    """Open (and migrate) the store, turning DuckDB's errors into Chinese ones."""
    if is_postgres(path):
        con = postgres.connect(str(path), _CONFIG, read_only=read_only)
        if not read_only:
            _upgrade(con)
        return con
    path = Path(path)
    if not create and not path.exists():
        raise DatabaseMissing(f"数据库文件不存在：{path}（先运行 python -m xzcore demo 或 init）")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=_CONFIG)
    except duckdb.IOException as exc:
        if re.search(r"\block\b", str(exc).lower()):  # not "block": a corrupt file says that
            raise DatabaseLocked(
                f"数据库 {path} 正被另一个进程（多半是运行中的看板）占用，请先关闭它再试"
            ) from exc
        raise
    if not read_only:
        _upgrade(con)
    return con


def _upgrade(con) -> None:
    with writing(con):  # two processes starting at once: one migrates, the other then sees it
        before = schema_version(con)
        migrate(con)
        if 0 < before < 4:  # figures from before the monthly cycle: they were published already
            from xzcore.cycle.publish import adopt

            adopt(con)


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
            if _kind(con)[0] == "postgres":
                postgres.run_migration(con, sql)
            else:
                con.execute(sql)
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    return len(MIGRATIONS)


@dataclass
class _Writer:
    """This process's turn at writing one store: threads take turns on the lock; with
    PostgreSQL the first of them also takes the store's advisory lock, so that processes
    (servers, the command line, a nightly import) take turns too."""

    lock: threading.RLock = field(default_factory=threading.RLock)
    depth: int = 0
    shared: postgres.AdvisoryLock | None = None


_WRITERS: dict[tuple[str, str], _Writer] = {}
_WRITERS_LOCK = threading.Lock()


def _kind(con) -> tuple[str, str]:
    """("postgres", conninfo) or ("duckdb", file path) of the connection's database."""
    found = con.execute(
        "SELECT type, path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return (found[0][0], found[0][1] or "") if found else ("duckdb", "")


def _writer(con) -> _Writer:
    key = _kind(con)
    with _WRITERS_LOCK:
        if key not in _WRITERS:
            shared = (
                postgres.AdvisoryLock(postgres.PREFIX + key[1]) if key[0] == "postgres" else None
            )
            _WRITERS[key] = _Writer(shared=shared)
        return _WRITERS[key]


@contextlib.contextmanager
def writing(con) -> Iterator:
    """The one writer of the store while the block runs (re-entrant within a thread). Readers
    never take it: they read the last commit."""
    writer = _writer(con)
    with writer.lock:
        writer.depth += 1
        try:
            if writer.depth == 1 and writer.shared is not None:
                writer.shared.acquire()
            try:
                yield con
            finally:
                if writer.depth == 1 and writer.shared is not None:
                    writer.shared.release()
        finally:
            writer.depth -= 1


@contextlib.contextmanager
def transaction(con) -> Iterator:
    """All or nothing, as the one writer: commit when the block ends normally, roll back on
    any exception."""
    with writing(con):
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


def next_ids(con, sequence: str, count: int) -> list[int]:
    """The next `count` values of a sequence (new rows' ids; RETURNING does not reach
    PostgreSQL through DuckDB)."""
    if count <= 0:
        return []
    if _kind(con)[0] == "postgres":
        return postgres.next_ids(con, sequence, count)
    found = con.execute(f"SELECT nextval('{sequence}') FROM range(?)", [count]).fetchall()
    return [row[0] for row in found]


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
    version = f"{row[0]}-{row[1]}-{row[2]}-{settings}-{cycle[0]}-{cycle[1]}-{cycle[2]}"
    kind = _kind(con)
    if kind[0] == "postgres" and _SEEN.get(kind) != cycle[0]:
        # a month published by another process made a schema this one has not seen yet
        postgres.clear_cache(con)
        _SEEN[kind] = cycle[0]
    return version


_SEEN: dict[tuple[str, str], int] = {}  # month_versions counted, by store

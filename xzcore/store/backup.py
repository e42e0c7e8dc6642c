"""Backups of the file store: one .zip made by the process that holds the file, and a restore
that swaps a checked copy in.

DuckDB lets no other process open a file while the dashboard holds it read-write, so the backup
is taken through the holder's own connection (the admin's 备份 button) or, with the dashboard
stopped, by the command line. It is DuckDB's EXPORT DATABASE in Parquet — a format any DuckDB,
older or newer, and most other tools read — plus a manifest.

Measured here (DuckDB 1.5.5):
- EXPORT DATABASE writes every schema (main and the published months' frozen pub_… ones), a
  Parquet file a table (pub_2020_08_v1.progress → pub_________v__progress_7.parquet; load.sql
  says which is which), and schema.sql with each sequence at its next value (START n), also
  when the values were drawn by this connection and not yet checkpointed.
- Run inside a transaction it reads that transaction's snapshot: a commit made meanwhile by
  another cursor is not in it. The backup's row counts come from the same transaction.
- IMPORT DATABASE finds the files beside load.sql even when the folder has moved, so an
  unpacked backup also opens by hand: `IMPORT DATABASE 'folder'`.

The archive: manifest.json, schema.sql, load.sql and the Parquet files, flat. The manifest holds
the schema version, when it was taken, and each table's rows, file and SHA-256.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import duckdb

from xzcore.errors import BadArgument, DatabaseLocked, XZError
from xzcore.store import audit, db, roles

FORMAT = "xzcore-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQL_FILES = ("schema.sql", "load.sql")
PG_TOOLS = "PostgreSQL 数据库请用 pg_dump 备份、pg_restore 恢复（命令见 README“备份与恢复”）"
USE_PG = f"{PG_TOOLS}；这里只备份与恢复 DuckDB 数据库文件"
_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class BackupRefused(XZError):
    """The backup or restore cannot be made here: the store is PostgreSQL, a file exists."""


class BadBackup(XZError):
    """The backup is damaged or incomplete, or not a backup: nothing was changed."""


def default_name(at: dt.datetime | None = None) -> str:
    return f"xiuzhou-backup-{(at or dt.datetime.now()):%Y%m%d-%H%M%S}.zip"


def _is_postgres(con) -> bool:
    found = con.execute(
        "SELECT type FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return bool(found) and found[0] == "postgres"


def _quoted(*parts: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def _tables(con) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables()"
        " WHERE database_name = current_database() AND NOT temporary"
        " ORDER BY schema_name <> 'main', schema_name, table_name"
    ).fetchall()


# --- backup --------------------------------------------------------------------------------


def backup(con, target: str | os.PathLike, *, actor: roles.User | None = None) -> dict:
    """Write a consistent copy of the whole store to target (a new .zip) and return its
    manifest. Taken as the one writer, in one transaction: no commit lands halfway. actor
    (an admin; the command line is roles.SYSTEM) is recorded in the audit log, in the same
    transaction, so the backup holds the entry about itself."""
    if _is_postgres(con):
        raise BackupRefused(USE_PG)
    target = Path(target)
    if target.exists():
        raise BackupRefused(f"文件已存在：{target}（换一个文件名，或先移走它）")
    if not target.parent.is_dir():
        raise BadArgument(f"文件夹不存在：{target.parent}")
    if actor is not None and not actor.is_admin:
        with db.writing(con):  # the refusal is written to the audit log, then raised
            refused = roles.deny(con, actor, "settings", f"{actor.label}无权备份数据库")
        raise refused
    work = Path(tempfile.mkdtemp(prefix=".xzbackup-", dir=target.parent))
    try:
        folder = work / "export"
        with db.transaction(con):
            tables = _tables(con)
            counts = {
                t: con.execute(f"SELECT count(*) FROM {_quoted(*t)}").fetchone()[0] for t in tables
            }
            taken = dt.datetime.now().replace(microsecond=0)
            if actor is not None and not db.read_only(con):
                audit.record(
                    con, actor, "backup", {"file": target.name, "rows": sum(counts.values())}
                )
                counts[("main", "audit_log")] += 1  # the entry is in the export: counted
            con.execute(
                "EXPORT DATABASE '"
                + str(folder).replace("'", "''")
                + "' (FORMAT parquet, COMPRESSION zstd)"
            )
            version = db.schema_version(con)
        files = _exported_files(folder)
        missing = [f"{s}.{t}" for s, t in tables if (s, t) not in files]
        if missing:
            raise XZError(f"备份没有写出这些表：{'、'.join(missing)}")  # DuckDB changed its export
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_version": version,
            "taken_at": taken.isoformat(),
            "duckdb": duckdb.__version__,
            "store": Path(_file_of(con)).name,
            "tables": [
                {
                    "schema": s,
                    "table": t,
                    "rows": counts[(s, t)],
                    "file": files[(s, t)],
                    "sha256": _sha256(folder / files[(s, t)]),
                }
                for s, t in tables
            ],
        }
        (folder / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        partial = work / "backup.zip"
        with zipfile.ZipFile(partial, "w") as archive:
            for path in sorted(folder.iterdir()):
                # Parquet is compressed already (zstd): stored as is; the text deflated
                kind = zipfile.ZIP_STORED if path.suffix == ".parquet" else zipfile.ZIP_DEFLATED
                archive.write(path, path.name, compress_type=kind)
        os.replace(partial, target)  # whole or not at all
    except OSError as exc:
        raise XZError(f"无法写出备份 {target}：{exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest


def _file_of(con) -> str:
    found = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return (found and found[0]) or "memory"


_IDENT = r'(?:"(?:[^"]|"")*"|[^\s."]+)'
_COPY = re.compile(
    rf"^COPY\s+(?P<name>{_IDENT}(?:\.{_IDENT})*)\s+FROM\s+'(?P<path>(?:[^']|'')*)'", re.M | re.I
)


def _exported_files(folder: Path) -> dict[tuple[str, str], str]:
    """(schema, table) → its file, from the COPY statements of the export's load.sql."""
    found = {}
    for match in _COPY.finditer((folder / "load.sql").read_text(encoding="utf-8")):
        parts = [
            p[1:-1].replace('""', '"') if p.startswith('"') else p
            for p in re.findall(_IDENT, match["name"])
        ]
        key = ("main", parts[-1]) if len(parts) == 1 else (parts[-2], parts[-1])
        found[key] = Path(match["path"].replace("''", "'")).name
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- restore -------------------------------------------------------------------------------


def _refuse_held(target: Path) -> None:
    """Refuse while another process holds the file; a damaged file is no reason to refuse."""
    try:
        db.connect(target, read_only=True).close()
    except DatabaseLocked:
        raise _held(target) from None
    except db.DatabaseError as exc:
        if _in_use(exc):
            raise _held(target) from None
        # damaged or unreadable: it is kept aside all the same


def _in_use(exc: BaseException) -> bool:
    # another process's lock, or this process's own connection opened otherwise
    text = str(exc).lower()
    return bool(re.search(r"\block\b", text)) or "same database file" in text


def _held(target: Path) -> DatabaseLocked:
    return DatabaseLocked(
        f"数据库 {target} 正被另一个进程（多半是运行中的看板）占用：请先停止看板再恢复；"
        "什么也没有改动"
    )


def restore(
    source: str | os.PathLike, target_path: str | os.PathLike, *, actor: roles.User | None = None
) -> dict:
    """Rebuild the store at target_path from a backup (.zip, or its unpacked folder): a new
    file beside the target, checked against the manifest (every table, every row count, every
    file's SHA-256), then moved over the target in one step. The old file stays as
    <name>.before-restore-<time>. Refused while another process holds the target, and for a
    damaged backup, with the target untouched. actor: recorded in the restored audit log.
    Returns {"manifest", "rows", "previous" (the old file kept, or None)}."""
    if db.is_postgres(target_path):
        raise BackupRefused(USE_PG)
    target = Path(target_path)
    source = Path(source)
    if not source.exists():
        raise BadArgument(f"找不到备份：{source}")
    if target.exists():
        _refuse_held(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.restore-", dir=target.parent))
    fresh = work / "restored.duckdb"
    try:
        folder, manifest = _unpacked(source, work / "backup")
        rows = _rebuild(fresh, folder, manifest, actor, source.name)
        previous = _swap(fresh, target, stamp)
    except OSError as exc:
        raise XZError(f"恢复失败（{exc.strerror or exc}）：数据库 {target} 没有改动") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"manifest": manifest, "rows": rows, "previous": previous}


def _unpacked(source: Path, into: Path) -> tuple[Path, dict]:
    """The backup's folder and manifest, the files it names checked against it."""
    if source.is_dir():
        folder = source
    elif not zipfile.is_zipfile(source):
        raise BadBackup(f"{source.name} 不是看板的备份（备份是一个 .zip 文件，或它解压后的文件夹）")
    else:
        folder = into
        folder.mkdir()
        try:
            with zipfile.ZipFile(source) as archive:
                names = set(archive.namelist())
                if MANIFEST not in names:
                    raise BadBackup(f"{source.name} 不是看板的备份（没有 {MANIFEST}）")
                manifest = _manifest(archive.read(MANIFEST), source)
                wanted = {MANIFEST, *SQL_FILES, *(t["file"] for t in manifest["tables"])}
                for name in sorted(wanted & names):
                    archive.extract(name, folder)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
            raise BadBackup(f"备份文件 {source.name} 已损坏（无法解压）：什么也没有改动") from None
    if not (folder / MANIFEST).is_file():
        raise BadBackup(f"{source.name} 不是看板的备份（没有 {MANIFEST}）")
    manifest = _manifest((folder / MANIFEST).read_bytes(), source)
    if not (folder / "schema.sql").is_file():
        raise BadBackup("备份不完整：缺少 schema.sql（表结构）：什么也没有改动")
    for entry in manifest["tables"]:
        name, file = f"{entry['schema']}.{entry['table']}", folder / entry["file"]
        if not file.is_file():
            raise BadBackup(f"备份不完整：缺少表 {name} 的数据文件 {entry['file']}：什么也没有改动")
        if _sha256(file) != entry["sha256"]:
            raise BadBackup(
                f"备份已损坏：表 {name} 的数据文件 {entry['file']} 与清单不符：什么也没有改动"
            )
    return folder, manifest


def _manifest(raw: bytes, source: Path) -> dict:
    try:
        manifest = json.loads(raw)
        ok = manifest.get("format") == FORMAT and all(
            isinstance(t["rows"], int)
            and re.fullmatch(r"[^/\\]+\.parquet", t["file"])
            and not t["file"].startswith(".")
            for t in manifest["tables"]
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise BadBackup(f"{source.name} 的清单（{MANIFEST}）无法读取：什么也没有改动")
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BadBackup(f"{source.name} 由更新版本的看板制作，本程序无法恢复：请先升级看板")
    if manifest.get("schema_version", 0) > len(db.MIGRATIONS):
        raise BadBackup(
            f"{source.name} 的数据库版本为 {manifest['schema_version']}，本程序只认到 "
            f"{len(db.MIGRATIONS)}：请先升级看板"
        )
    return manifest


def _rebuild(fresh: Path, folder: Path, manifest: dict, actor, file_name: str) -> int:
    """A new DuckDB file from the backup, every table's rows counted against the manifest;
    returns the rows restored."""
    con = duckdb.connect(str(fresh), config=_CONFIG)
    try:
        try:
            for statement in con.extract_statements(
                (folder / "schema.sql").read_text(encoding="utf-8")
            ):
                if statement.type != duckdb.StatementType.CREATE:
                    raise BadBackup("备份的 schema.sql 含有建表以外的语句：什么也没有改动")
                con.execute(statement.query)
            for entry in manifest["tables"]:
                path = str(folder / entry["file"]).replace("'", "''")
                con.execute(
                    f"COPY {_quoted(entry['schema'], entry['table'])} FROM '{path}'"
                    " (FORMAT parquet)"
                )
            load = folder / "load.sql"
            if load.is_file():  # what comes after the data (indexes), never a COPY of its own
                for statement in con.extract_statements(load.read_text(encoding="utf-8")):
                    if statement.type == duckdb.StatementType.CREATE:
                        con.execute(statement.query)
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise BadBackup(f"无法从备份重建数据库（{first}）：什么也没有改动") from None
        restored = set(_tables(con))
        listed = {(t["schema"], t["table"]) for t in manifest["tables"]}
        if restored != listed:
            extra = "、".join(f"{s}.{t}" for s, t in sorted(restored ^ listed))
            raise BadBackup(f"备份的表与清单不符（{extra}）：什么也没有改动")
        for entry in manifest["tables"]:
            got = con.execute(
                f"SELECT count(*) FROM {_quoted(entry['schema'], entry['table'])}"
            ).fetchone()[0]
            if got != entry["rows"]:
                raise BadBackup(
                    f"备份与清单不符：表 {entry['schema']}.{entry['table']} 恢复出 {got} 行，"
                    f"清单记的是 {entry['rows']} 行：什么也没有改动"
                )
        if db.schema_version(con) != manifest["schema_version"]:
            raise BadBackup("备份的数据库版本与清单不符：什么也没有改动")
        rows = sum(t["rows"] for t in manifest["tables"])
        if actor is not None and ("main", "audit_log") in restored:
            audit.record(
                con, actor, "restore",
                {"file": f"{file_name}（备份于 {manifest['taken_at'].replace('T', ' ')}）",
                 "rows": rows},
            )  # fmt: skip
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return rows


def _swap(fresh: Path, target: Path, stamp: str) -> Path | None:
    """Move the new file over the target in one step, the old one kept beside it."""
    if not target.exists():
        os.replace(fresh, target)
        return None
    wal = target.with_name(target.name + ".wal")
    if wal.exists():
        _fold_wal(target)  # changes the old file's log still holds go into the file kept
    previous = target.with_name(f"{target.name}.before-restore-{stamp}")
    n = 1
    while previous.exists() or previous.with_name(previous.name + ".wal").exists():
        n += 1
        previous = target.with_name(f"{target.name}.before-restore-{stamp}-{n}")
    # held read-only while it is swapped: no other process can open the old file for writing
    with _holding(target):
        try:
            os.link(target, previous)
        except OSError:  # no hard links here: a copy
            shutil.copy2(target, previous)
        if wal.exists():  # a log the old file could not fold in: it goes with the old file
            os.replace(wal, previous.with_name(previous.name + ".wal"))
        os.replace(fresh, target)
    return previous


def _fold_wal(target: Path) -> None:
    try:
        con = duckdb.connect(str(target), config=_CONFIG)
    except duckdb.Error as exc:
        if _in_use(exc):
            raise _held(target) from None
        return  # damaged: its log is kept beside it as it is
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()


@contextlib.contextmanager
def _holding(target: Path):
    try:
        con = duckdb.connect(str(target), read_only=True, config=_CONFIG)
    except duckdb.Error as exc:
        if _in_use(exc):
            raise _held(target) from None
        con = None  # damaged: nothing to hold
    try:
        yield
    finally:
        if con is not None:
            con.close()

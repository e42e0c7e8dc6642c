"""Backups of the file store (issue 16 item 4): a backup of the demo, the store changed (an
upload, a publish, a correction of a published month), then restored — and it is the store as
backed up, published months reading the same figures, new ids going on from where they were.
A restore is refused while another process holds the file, and a damaged backup is refused
with the target untouched."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.cycle_files import AUG, SEP, UNIT, publish, report, upload
from tests.logins import log_in
from tests.upload_files import dump
from xzcore import auth
from xzcore.errors import DatabaseLocked
from xzcore.store import audit, backup, db, faults

OFFICE = auth.User("office", "区重点办（示例）", "office")
CORRECTION = "王江泾镇来函：8月累计完成投资漏报一笔设备款"


@pytest.fixture
def store(demo_template, tmp_path) -> Path:
    """A copy of the demo database alone in a folder (so that leftovers would show)."""
    path = tmp_path / "store" / "xiuzhou.duckdb"
    path.parent.mkdir()
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def made(store, tmp_path) -> Path:
    """A backup of the demo store, taken as the command line takes it."""
    target = tmp_path / "backup.zip"
    with db.connect(store) as con:
        backup.backup(con, target, actor=auth.SYSTEM)
    return target


def _cli(path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "xzcore", "--db", str(path), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def _summary(path, month: str = "2020-08") -> dict:
    done = _cli(path, "summary", "--month", month, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _state(path) -> dict:
    """Every table's rows and columns (tests.upload_files.dump), every table's and sequence's
    definition, and the schema version."""
    with db.connect(path, read_only=True) as con:
        return {
            "tables": dump(con),
            "ddl": con.execute(
                "SELECT schema_name, table_name, sql FROM duckdb_tables() ORDER BY ALL"
            ).fetchall(),
            "sequences": con.execute(
                "SELECT schema_name, sequence_name FROM duckdb_sequences() ORDER BY ALL"
            ).fetchall(),
            "version": db.schema_version(con),
        }


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _max_ids(path) -> dict[str, int]:
    with db.connect(path, read_only=True) as con:
        return {
            table: con.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
            for table in ("projects", "batches", "audit_log")
        }


def test_a_restored_store_is_the_store_as_backed_up(store, tmp_path):
    target = tmp_path / "backup.zip"
    with db.connect(store) as con:
        manifest = backup.backup(con, target, actor=auth.SYSTEM)
        counts = {
            f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]
            for s, t in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables()"
            ).fetchall()
        }
    backed, figures, ids = _state(store), _summary(store), _max_ids(store)
    # the manifest: every table of every schema (the 8 published months' frozen copies too)
    assert manifest["schema_version"] == len(db.MIGRATIONS) == backed["version"]
    assert {f"{t['schema']}.{t['table']}": t["rows"] for t in manifest["tables"]} == counts
    assert {t["schema"] for t in manifest["tables"]} == {"main"} | {
        f"pub_2020_{m:02d}_v1" for m in range(1, 9)
    }
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
    assert names == {"manifest.json", "schema.sql", "load.sql"} | {
        t["file"] for t in manifest["tables"]
    }
    # the backup holds the audit entry about itself
    assert backed["tables"]["audit_log"].splitlines()[-1].count("'backup'") == 1

    # the store moves on: September reported and published, August corrected (its version 2)
    september = upload(store, report(store, SEP), "office")
    publish(store, SEP)
    assert upload(store, report(store, AUG, UNIT, add=5000), "office", CORRECTION) is not None
    assert _summary(store) != figures
    assert _state(store)["tables"] != backed["tables"]

    done = _cli(store, "restore", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"已用 {target} 恢复数据库 {store}（备份于 ")
    previous = Path(done.stdout.splitlines()[-1].removeprefix("原数据库文件保存为 "))
    assert previous.parent == store.parent
    assert previous.name.startswith("xiuzhou.duckdb.before-restore-")
    assert _listing(store.parent) == sorted([store.name, previous.name])

    restored = _state(store)
    assert restored["ddl"] == backed["ddl"] and restored["sequences"] == backed["sequences"]
    assert restored["version"] == backed["version"]
    # every table row for row, but the audit log, which notes the restore once more
    assert {k: v for k, v in restored["tables"].items() if k != "audit_log"} == {
        k: v for k, v in backed["tables"].items() if k != "audit_log"
    }
    log = restored["tables"]["audit_log"].splitlines()
    assert "\n".join(log[:-1]) == backed["tables"]["audit_log"]
    assert "'restore'" in log[-1] and "'cli:" in log[-1]
    # published months read the same figures as before the change
    assert _summary(store) == figures
    assert _summary(store, "2020-05") == _summary(previous, "2020-05")  # not corrected
    # new ids go on from where the backup left them: the restore's audit entry is the next
    # one, and September uploaded again gets the batch id it got the first time
    assert _max_ids(store) == ids | {"audit_log": ids["audit_log"] + 1}
    assert upload(store, report(store, SEP), "office") == september == ids["batches"] + 1
    with db.connect(store) as con:
        assert db.next_ids(con, "project_id_seq", 1) == [ids["projects"] + 1]
        entries = audit.query(con, action="restore")
        assert audit.describe("restore", entries["detail"][0]).startswith(
            f"文件：{target.name}（备份于 "
        )
    # the store as it was before the restore is kept whole
    with db.connect(previous, read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM duckdb_schemas() WHERE schema_name LIKE 'pub_2020_09_v1'"
        ).fetchone() == (1,)


def test_restore_refuses_while_another_process_holds_the_file(store, made, tmp_path):
    before, listing = _sha(store), _listing(store.parent)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, duckdb; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
         " sys.stdin.read()", str(store)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseLocked, match="正被另一个进程（多半是运行中的看板）占用"):
            backup.restore(made, store)
        done = _cli(store, "restore", str(made))
        assert done.returncode == 1
        assert "请先停止看板再恢复" in done.stderr
        # a backup from the command line says where to take it instead
        done = _cli(store, "backup", "-o", str(tmp_path))
        assert done.returncode == 1
        assert "请用管理员账号在看板的“规则设置”页点“备份”" in done.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert _sha(store) == before and _listing(store.parent) == listing
    # this process's own connection holds it just the same
    with db.connect(store), pytest.raises(DatabaseLocked, match="请先停止看板再恢复"):
        backup.restore(made, store)
    assert _sha(store) == before and _listing(store.parent) == listing


def _rewrite(source: Path, target: Path, *, drop=(), replace=None, manifest=None) -> Path:
    """A copy of a backup archive with entries left out, replaced, or the manifest edited."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            if name in drop:
                continue
            data = old.read(name)
            if replace and name in replace:
                data = old.read(replace[name])
            if name == "manifest.json" and manifest:
                data = json.dumps(manifest(json.loads(data)), ensure_ascii=False).encode()
            new.writestr(name, data)
    return target


def _entry(manifest: dict, schema: str, table: str) -> dict:
    return next(t for t in manifest["tables"] if (t["schema"], t["table"]) == (schema, table))


def _recount(manifest: dict) -> dict:
    _entry(manifest, "main", "progress")["rows"] += 1
    return manifest


def _unlist(manifest: dict) -> dict:
    manifest["tables"].remove(_entry(manifest, "pub_2020_08_v1", "progress"))
    return manifest


def test_a_damaged_backup_is_refused_and_the_store_untouched(store, made, tmp_path):
    with zipfile.ZipFile(made) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    progress = _entry(manifest, "main", "progress")["file"]
    january = _entry(manifest, "pub_2020_01_v1", "progress")["file"]  # fewer rows
    damaged = {
        "缺少表 main.progress 的数据文件": _rewrite(made, tmp_path / "a.zip", drop=[progress]),
        "表 main.progress 恢复出 \\d+ 行，清单记的是 \\d+ 行": _rewrite(
            made, tmp_path / "b.zip", manifest=_recount
        ),
        f"表 main.progress 的数据文件 {progress} 与清单不符": _rewrite(
            made, tmp_path / "c.zip", replace={progress: january}
        ),
        "备份的表与清单不符（pub_2020_08_v1.progress）": _rewrite(
            made, tmp_path / "d.zip", manifest=_unlist
        ),
        "不是看板的备份（没有 manifest.json）": _rewrite(
            made, tmp_path / "e.zip", drop=["manifest.json"]
        ),
    }
    truncated = tmp_path / "f.zip"
    truncated.write_bytes(made.read_bytes()[: made.stat().st_size // 2])
    damaged["不是看板的备份（备份是一个 .zip 文件"] = truncated
    before, listing = _sha(store), _listing(store.parent)
    for message, path in damaged.items():
        with pytest.raises(backup.BadBackup, match=message) as refused:
            backup.restore(path, store)
        assert str(refused.value).endswith("什么也没有改动") or "不是看板的备份" in message
        assert _sha(store) == before and _listing(store.parent) == listing, message
    done = _cli(store, "restore", str(tmp_path / "b.zip"))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("错误：备份与清单不符：表 main.progress 恢复出")
    assert _sha(store) == before and _listing(store.parent) == listing


def test_only_an_admin_backs_up_and_a_postgresql_store_is_sent_to_pg_dump(store, tmp_path):
    target = tmp_path / "backup.zip"
    with db.connect(store) as con:
        with pytest.raises(auth.PermissionDenied, match="无权备份数据库"):
            backup.backup(con, target, actor=OFFICE)
        assert audit.query(con, action="denied")["actor"].tolist()[:1] == ["office"]
        backup.backup(con, target)
        with pytest.raises(backup.BackupRefused, match="文件已存在"):
            backup.backup(con, target)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".xzbackup-")]
    postgres = "postgres:host=127.0.0.1 port=1 dbname=xz"
    with pytest.raises(backup.BackupRefused, match="请用 pg_dump 备份、pg_restore 恢复"):
        backup.restore(target, postgres)
    for command in (["backup", "-o", str(tmp_path)], ["restore", str(target)]):
        done = _cli(postgres, *command)
        assert done.returncode == 1
        assert done.stderr.startswith("错误：PostgreSQL 数据库请用 pg_dump 备份、pg_restore 恢复")


def test_the_command_line_backs_up_into_a_folder_and_restores_a_new_file(store, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    done = _cli(store, "backup", "-o", str(folder))
    assert done.returncode == 0, done.stderr
    (made,) = folder.iterdir()
    assert made.name.startswith("xiuzhou-backup-") and made.suffix == ".zip"
    assert done.stdout.startswith(f"已备份到 {made}（80 张表，")
    fresh = tmp_path / "elsewhere" / "new.duckdb"
    done = _cli(fresh, "restore", str(made))
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1  # no file was there to keep
    assert _summary(fresh) == _summary(store)


def test_the_admin_backs_up_from_the_rules_page(app_db):
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run(), "admin")
    at.switch_page("pages/rules.py").run()
    assert not at.exception, at.exception
    assert not at.get("download_button")
    next(b for b in at.button if b.label == "备份").click().run()
    assert not at.exception, at.exception
    assert [b.proto.label for b in at.get("download_button")] == ["下载备份"]
    assert any(s.value.startswith("已备份：80 张表，") for s in at.success)
    with db.connect(app_db) as con:
        entries = audit.query(con, action="backup")
    assert entries["actor"].tolist() == ["admin"]
    assert audit.describe("backup", entries["detail"][0]).startswith("文件：xiuzhou-backup-")


def test_changes_a_killed_writer_left_in_the_log_stay_in_the_file_kept(store, made):
    # a writer killed before DuckDB folded its log into the file: the change is in x.wal only
    subprocess.run(
        [sys.executable, "-c",
         "import os, sys, duckdb; c = duckdb.connect(sys.argv[1]);"
         " c.execute(\"INSERT INTO audit_log (\\\"at\\\", action) VALUES (now(), 'mark')\");"
         " os._exit(0)", str(store)],
        check=True,
    )  # fmt: skip
    assert (store.parent / "xiuzhou.duckdb.wal").exists()
    previous = backup.restore(made, store)["previous"]
    # the log went into the old file before it was set aside: nothing of it beside the new one
    assert _listing(store.parent) == sorted([store.name, previous.name])
    for path, marks in ((previous, 1), (store, 0)):
        with db.connect(path, read_only=True) as con:
            found = con.execute("SELECT count(*) FROM audit_log WHERE action = 'mark'").fetchone()
            assert found == (marks,)


def test_a_corrupt_store_is_restored_and_kept_aside_as_it_was(store, made):
    data = bytearray(store.read_bytes())
    for offset in range(300_000, len(data) - 4096, 700_000):  # blocks of tables, not the header
        data[offset : offset + 4096] = bytes(4096)
    store.write_bytes(bytes(data))
    damaged = _sha(store)
    # "…checksum … in block at location …" is a damaged file, not a file held by a process
    with pytest.raises(db.DatabaseError) as opened, db.connect(store, read_only=True) as con:
        con.execute("SELECT count(*) FROM progress").fetchall()
    assert not isinstance(opened.value, DatabaseLocked)
    assert faults.kind(opened.value) == "corrupt"
    previous = backup.restore(made, store)["previous"]
    assert _sha(previous) == damaged
    assert _summary(store)["projects"] == 113

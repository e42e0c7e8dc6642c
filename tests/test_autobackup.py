"""The dashboard's daily backup (xzcore.store.autobackup, ui/autobackup.py): the schedule, the
folder keeping the newest, a backup that restores, and a running server making one at its time
while a visitor reads."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT, demo_copy, server_process, settled
from tests.logins import log_in
from ui import autobackup as ui_autobackup
from xzcore.errors import BadArgument
from xzcore.store import audit, autobackup, backup, db


def test_the_next_run_is_todays_time_until_it_has_passed():
    at = dt.time(2, 0)
    assert autobackup.next_run(dt.datetime(2026, 12, 2, 1, 59), at) == dt.datetime(2026, 12, 2, 2)
    assert autobackup.next_run(dt.datetime(2026, 12, 2, 2, 0), at) == dt.datetime(2026, 12, 3, 2)
    assert autobackup.next_run(dt.datetime(2026, 12, 31, 23), at) == dt.datetime(2027, 1, 1, 2)


def test_the_plan_comes_from_the_environment_and_a_bad_value_is_said_in_chinese(
    monkeypatch, tmp_path
):
    store = tmp_path / "xz.duckdb"
    for name in ("XZ_BACKUP_TIME", "XZ_BACKUP_KEEP", "XZ_BACKUP_DIR"):
        monkeypatch.delenv(name, raising=False)
    assert autobackup.plan(store) == autobackup.Plan(dt.time(2), 14, tmp_path / "备份")
    monkeypatch.setenv("XZ_BACKUP_TIME", "off")
    assert autobackup.plan(store).at is None
    monkeypatch.setenv("XZ_BACKUP_TIME", "23:30")
    monkeypatch.setenv("XZ_BACKUP_KEEP", "3")
    monkeypatch.setenv("XZ_BACKUP_DIR", str(tmp_path / "elsewhere"))
    assert autobackup.plan(store) == autobackup.Plan(dt.time(23, 30), 3, tmp_path / "elsewhere")
    monkeypatch.setenv("XZ_BACKUP_TIME", "25:00")
    with pytest.raises(BadArgument, match="XZ_BACKUP_TIME 应为每天备份的时刻（如 02:00）"):
        autobackup.plan(store)
    monkeypatch.setenv("XZ_BACKUP_TIME", "02:00")
    monkeypatch.setenv("XZ_BACKUP_KEEP", "0")
    with pytest.raises(BadArgument, match="XZ_BACKUP_KEEP 应为正整数"):
        autobackup.plan(store)


def test_a_backup_goes_to_the_folder_the_oldest_go_and_it_restores(demo_con, tmp_path):
    folder = tmp_path / "备份"
    folder.mkdir()
    older = [folder / backup.default_name(dt.datetime(2026, 11, d, 2)) for d in (1, 2, 3)]
    for path in older:
        path.write_bytes(b"an older backup")
    mine = folder / "xiuzhou-backup-手工.zip"  # not named as the schedule names them: kept
    mine.write_bytes(b"kept")
    manifest = autobackup.run(
        demo_con, autobackup.Plan(dt.time(2), 3, folder), now=dt.datetime(2026, 12, 2, 2)
    )
    newest = folder / "xiuzhou-backup-20261202-020000.zip"
    assert sorted(folder.iterdir()) == sorted([older[1], older[2], newest, mine])
    assert [p for _, p in autobackup.made(folder)] == [older[1], older[2], newest]

    entry = audit.query(demo_con, action="backup", limit=1).iloc[0]
    assert (entry["actor"], entry["actor_name"]) == ("system:backup", "自动备份")
    restored = tmp_path / "restored.duckdb"
    done = backup.restore(newest, restored)
    assert done["rows"] == sum(t["rows"] for t in manifest["tables"])
    again = db.connect(restored)
    for table in ("projects", "progress", "audit_log"):
        count = f"SELECT count(*) FROM {table}"
        assert again.execute(count).fetchone() == demo_con.execute(count).fetchone(), table
    again.close()


@pytest.mark.browser
def test_the_running_dashboard_backs_up_at_its_time_while_a_visitor_reads(
    demo_template, tmp_path, tabs
):
    """The file is held by the server, so only the server can back it up: it does so at the
    time set, a few seconds after a visitor's first page started its schedule."""
    path = demo_copy(demo_template, tmp_path)
    folder = tmp_path / "自动"
    at = (dt.datetime.now() + dt.timedelta(seconds=4)).strftime("%H:%M:%S")
    env = {"XZ_BACKUP_TIME": at, "XZ_BACKUP_DIR": str(folder), "XZ_BACKUP_KEEP": "2"}
    with server_process(path, log=tmp_path / "server.log", env=env) as (url, _):
        page = tabs.screen()
        page.goto(url)
        settled(page, timeout=60000)
        deadline = time.monotonic() + 60
        while not autobackup.made(folder):  # the server's thread writes it at `at`
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.2)
        (taken, made), *_ = autobackup.made(folder)
        assert taken >= dt.datetime.combine(dt.date.today(), dt.time.fromisoformat(at))
        assert "年度计划投资" in page.inner_text("body")  # the visitor's page is still there
    done = backup.restore(made, tmp_path / "restored.duckdb")
    assert done["manifest"]["store"] == path.name
    assert not list(folder.glob(".xzbackup-*"))  # no work folder left behind


def test_the_rules_page_says_the_schedule_and_the_newest_backup(app_db, monkeypatch):
    folder = app_db.parent / "备份"
    folder.mkdir()
    (folder / backup.default_name(dt.datetime(2026, 12, 1, 2))).write_bytes(b"x" * 2**20)
    monkeypatch.setenv("XZ_BACKUP_TIME", "02:00")
    monkeypatch.setenv("XZ_BACKUP_KEEP", "14")
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run(), "admin")
    at.switch_page("pages/rules.py").run()
    assert not at.exception, at.exception
    said = [c.value for c in at.caption]
    assert (
        "自动备份：每天 02:00 存到数据库文件旁的“备份”文件夹，保留最近 14 份；"
        "最近一次 2026-12-01 02:00（1.0 MB）。"
    ) in said, said
    ui_autobackup._scheduler(str(app_db)).stop()  # the thread this page run started, sleeping
    ui_autobackup._scheduler.clear()

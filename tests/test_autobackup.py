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


def test_a_backup_is_due_when_the_last_time_passed_without_one(tmp_path):
    schedule = autobackup.Plan(dt.time(2), 14, tmp_path)
    at_9 = dt.datetime(2026, 12, 2, 9)
    assert autobackup.due(at_9, schedule)  # none yet: at once
    (tmp_path / backup.default_name(dt.datetime(2026, 12, 1, 2))).write_bytes(b"")
    assert autobackup.due(at_9, schedule)  # yesterday's, not today's: the dashboard was down
    assert not autobackup.due(dt.datetime(2026, 12, 2, 1, 59), schedule)
    (tmp_path / backup.default_name(dt.datetime(2026, 12, 2, 2, 0, 1))).write_bytes(b"")
    assert not autobackup.due(at_9, schedule)


def test_the_schedule_backs_up_at_its_time(demo_con, tmp_path):
    """A backup taken at the last time already: the thread sleeps until the time set, then
    makes one (a thread started late makes it at once: taken at or after the time either way)."""
    at = (dt.datetime.now() + dt.timedelta(seconds=2)).replace(microsecond=0)
    folder = tmp_path / "备份"
    folder.mkdir()
    (folder / backup.default_name(at - dt.timedelta(days=1))).write_bytes(b"yesterday's")
    # the thread takes a cursor of the connection each time, as in the server
    scheduler = autobackup.Scheduler(autobackup.Plan(at.time(), 2, folder), demo_con.cursor)
    scheduler.start()
    try:
        deadline = time.monotonic() + 60
        while len(autobackup.made(folder)) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        scheduler.stop()
    (_, yesterday), (taken, made) = autobackup.made(folder)
    assert taken >= at and made.stat().st_size > 10_000
    assert yesterday.read_bytes() == b"yesterday's"


@pytest.mark.browser
def test_a_dashboard_started_after_the_time_backs_up_at_once_while_a_visitor_reads(
    demo_template, tmp_path, tabs
):
    """The file is held by the server, so only the server can back it up; started after the
    day's time with no backup since, it makes the missed one when a visitor's first page
    starts its schedule."""
    path = demo_copy(demo_template, tmp_path)
    folder = tmp_path / "自动"
    at = (dt.datetime.now() - dt.timedelta(minutes=1)).strftime("%H:%M:%S")
    env = {"XZ_BACKUP_TIME": at, "XZ_BACKUP_DIR": str(folder), "XZ_BACKUP_KEEP": "2"}
    with server_process(path, log=tmp_path / "server.log", env=env) as (url, _):
        page = tabs.screen()
        page.goto(url)
        settled(page, timeout=60000)
        deadline = time.monotonic() + 60
        while not autobackup.made(folder):  # the server's thread writes it
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.2)
        assert "年度计划投资" in page.inner_text("body")  # the visitor's page is still there
    ((_, made),) = autobackup.made(folder)
    done = backup.restore(made, tmp_path / "restored.duckdb")
    assert done["manifest"]["store"] == path.name
    assert not list(folder.glob(".xzbackup-*"))  # no work folder left behind


def test_the_rules_page_says_the_schedule_and_the_newest_backup(app_db, monkeypatch):
    folder = app_db.parent / "备份"
    folder.mkdir()
    last = autobackup.next_run(dt.datetime.now(), dt.time(2)) - dt.timedelta(days=1)
    (folder / backup.default_name(last)).write_bytes(b"x" * 2**20)  # none due: none made
    monkeypatch.setenv("XZ_BACKUP_TIME", "02:00")
    monkeypatch.setenv("XZ_BACKUP_KEEP", "14")
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run(), "admin")
    at.switch_page("pages/rules.py").run()
    assert not at.exception, at.exception
    said = [c.value for c in at.caption]
    assert (
        "自动备份：每天 02:00 存到数据库文件旁的“备份”文件夹，保留最近 14 份；"
        f"最近一次 {last:%Y-%m-%d} 02:00（1.0 MB）。"
    ) in said, said
    ui_autobackup._scheduler(str(app_db)).stop()  # the thread this page run started, sleeping
    ui_autobackup._scheduler.clear()


def test_a_failed_backup_is_logged_and_the_schedule_goes_on(demo_con, tmp_path, caplog):
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")  # the folder cannot be made, even by root
    schedule = autobackup.Plan(dt.time(2), 14, blocked / "备份")
    scheduler = autobackup.Scheduler(schedule, demo_con.cursor).start()  # none yet: due at once
    deadline = time.monotonic() + 30
    while "自动备份失败，到下一个备份时刻再试" not in caplog.text:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert scheduler._thread.is_alive()  # asleep until 02:00, not ended
    scheduler.stop()
    assert not scheduler._thread.is_alive()

"""Sessions: a random token whose hash alone is kept; they end when idle, old, closed or disabled.
And a database made before accounts existed gains the new tables, its figures untouched."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from tests.conftest import build
from tests.upload_files import dump
from xzcore import auth
from xzcore.auth import User
from xzcore.store import db

T0 = dt.datetime(2020, 9, 1, 9, 0)
ADMIN = User("root", "管理员甲", "admin")


@pytest.fixture
def office(con):
    auth.add_user(con, "root", "admin-pass-1", "admin", actor=auth.SYSTEM)
    return auth.add_user(con, "office", "office-pass", "office", display_name="王五", actor=ADMIN)


def test_a_session_finds_its_user_and_only_the_tokens_hash_is_stored(con, office, tmp_path):
    token = auth.open_session(con, office, now=T0)
    assert len(token) >= 40 and token != auth.open_session(con, office, now=T0)
    assert auth.session_user(con, token, now=T0 + dt.timedelta(hours=1)) == office
    con.execute("CHECKPOINT")
    assert token.encode() not in (tmp_path / "t.duckdb").read_bytes()
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert con.execute("SELECT username FROM sessions WHERE token_sha256 = ?", [digest]).fetchall()
    assert auth.session_user(con, "forged-token", now=T0) is None
    assert auth.session_user(con, "", now=T0) is None


def test_a_session_ends_after_twelve_idle_hours_but_use_keeps_it_going(con, office):
    token = auth.open_session(con, office, now=T0)
    at = T0
    for _ in range(10):  # used every 11 hours for 110 hours: still there
        at += dt.timedelta(hours=11)
        assert auth.session_user(con, token, now=at) == office
    idle = auth.open_session(con, office, now=T0)
    assert auth.session_user(con, idle, now=T0 + auth.SESSION_IDLE) is None
    assert auth.session_user(con, idle, now=T0) is None  # gone for good, not just expired


def test_no_session_outlives_its_maximum_age_however_much_it_is_used(con, office):
    token = auth.open_session(con, office, now=T0)
    at = T0
    while at + dt.timedelta(hours=6) < T0 + auth.SESSION_MAX:
        at += dt.timedelta(hours=6)
        assert auth.session_user(con, token, now=at) is not None
    assert auth.session_user(con, token, now=T0 + auth.SESSION_MAX) is None


def test_closing_or_disabling_ends_sessions_and_role_changes_apply_at_once(con, office):
    first, second = (auth.open_session(con, office, now=T0) for _ in range(2))
    auth.close_session(con, first)
    assert auth.session_user(con, first, now=T0) is None
    assert auth.session_user(con, second, now=T0) == office
    auth.set_role(con, "office", "viewer", actor=ADMIN)
    assert auth.session_user(con, second, now=T0).role == "viewer"
    auth.disable(con, "office", actor=ADMIN)
    assert auth.session_user(con, second, now=T0) is None
    auth.enable(con, "office", actor=ADMIN)
    assert auth.session_user(con, second, now=T0) is None  # disabling ended it for good


def test_an_admin_password_reset_ends_the_users_sessions_their_own_change_does_not(con, office):
    token = auth.open_session(con, office, now=T0)
    auth.set_password(con, "office", "my-own-new-pass", actor=office)
    assert auth.session_user(con, token, now=T0) == office
    auth.set_password(con, "office", "reset-by-admin", actor=ADMIN)
    assert auth.session_user(con, token, now=T0) is None


def test_a_database_with_only_migration_1_gains_accounts_and_keeps_its_figures(
    tmp_path, monkeypatch
):
    path = tmp_path / "old.duckdb"
    with monkeypatch.context() as before_accounts:
        before_accounts.setattr(db, "MIGRATIONS", db.MIGRATIONS[:1])
        old = db.connect(path, create=True)
    build(old, [dict(name="老项目", plan=1000, ytd={7: 500})])
    before = dump(old)
    old_figures = old.execute(
        "SELECT project_id, year, month, amount, ytd, stage FROM progress ORDER BY ALL"
    ).fetchall()
    assert db.schema_version(old) == 1 and "users" not in before
    old.close()
    con = db.connect(path)
    try:
        assert db.schema_version(con) == len(db.MIGRATIONS)
        after = dump(con)
        # migrations 3 and 4 add columns and publish the months already reported
        grown = {"schema_version", "projects", "projects_before", "progress", "progress_before",
                 "batches", "light_snapshots"}  # fmt: skip
        kept = {k: v for k, v in after.items() if k in before and k not in grown}
        assert kept == {k: v for k, v in before.items() if k not in grown}
        figures = "SELECT project_id, year, month, amount, ytd, stage FROM progress ORDER BY ALL"
        assert con.execute(figures).fetchall() == old_figures
        assert con.execute(
            "SELECT year, month, version, published_by FROM month_versions ORDER BY ALL"
        ).fetchall() == [(2020, m, 1, "migration") for m in range(1, 8)]
        assert {"users", "sessions", "audit_log"} <= set(after)
        auth.add_user(con, "root", "admin-pass-1", "admin", actor=auth.SYSTEM)
        assert auth.authenticate(con, "root", "admin-pass-1").is_admin
    finally:
        con.close()


def test_looking_a_session_up_writes_nothing_and_says_what_it_needs_written(con, office):
    token = auth.open_session(con, office, now=T0)
    before = dump(con)
    assert auth.look_up(con, token, now=T0 + dt.timedelta(seconds=30)) == (office, None)
    assert auth.look_up(con, token, now=T0 + dt.timedelta(minutes=2)) == (office, "touch")
    assert auth.look_up(con, token, now=T0 + auth.SESSION_IDLE) == (None, "end")
    assert dump(con) == before
    auth.settle(con, token, "touch", now=T0 + dt.timedelta(minutes=2))
    assert auth.look_up(con, token, now=T0 + dt.timedelta(minutes=2)) == (office, None)
    auth.settle(con, token, "end")
    assert auth.look_up(con, token, now=T0) == (None, None)

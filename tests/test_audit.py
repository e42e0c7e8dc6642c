"""The audit log: entries with who, when, what; filters; and settings changes, admin only."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import build
from xzcore.auth import PermissionDenied, User
from xzcore.errors import BadArgument
from xzcore.figures import metrics
from xzcore.period import Month
from xzcore.store import audit, settings

ADMIN = User("root", "管理员甲", "admin")
OFFICE = User("office", "王五", "office")
DAY = dt.datetime(2020, 9, 1, 9, 0)


def test_entries_keep_who_when_what_and_come_back_newest_first_filtered(con):
    audit.record(con, ADMIN, "user_add", {"username": "张三", "units": ["王江泾镇"]}, at=DAY)
    audit.record(con, "guess", "login_failed", {"reason": "unknown"}, at=DAY + dt.timedelta(1))
    audit.record(con, OFFICE, "commit", {"batch": 7, "rows": 113}, at=DAY + dt.timedelta(2))
    audit.record(con, None, "login_failed", at=DAY + dt.timedelta(2, hours=1))
    everything = audit.query(con)
    assert everything[["actor", "actor_name", "role", "action", "action_name"]].fillna(
        "-"
    ).values.tolist() == [
        ["-", "-", "-", "login_failed", "登录失败"],
        ["office", "王五", "office", "commit", "提交数据"],
        ["guess", "-", "-", "login_failed", "登录失败"],
        ["root", "管理员甲", "admin", "user_add", "新增用户"],
    ]
    assert json.loads(everything["detail"].iloc[3]) == {"username": "张三", "units": ["王江泾镇"]}
    assert audit.query(con, actor="office")["action"].tolist() == ["commit"]
    assert len(audit.query(con, action="login_failed")) == 2
    assert len(audit.query(con, action=["commit", "user_add"])) == 2
    # A date is its whole day: since the 2nd and until the 3rd take the middle two.
    middle = audit.query(con, since=dt.date(2020, 9, 2), until=dt.date(2020, 9, 3))
    assert middle["actor"].fillna("-").tolist() == ["-", "office", "guess"]
    assert audit.query(con, until=DAY + dt.timedelta(1))["actor"].tolist() == ["root"]
    assert audit.query(con, limit=1)["action"].tolist() == ["login_failed"]


def test_an_unknown_action_is_refused_and_a_long_typed_name_is_cut(con):
    with pytest.raises(BadArgument, match="未知的审计动作：login_ok"):
        audit.record(con, ADMIN, "login_ok")
    audit.record(con, "x" * 5000, "login_failed")
    assert audit.query(con)["actor"].str.len().tolist() == [64]


def test_settings_are_an_admins_and_each_change_is_logged_with_old_and_new(con):
    build(con, [dict(name="测", plan=1000, ytd={6: 450})])  # 5 pp behind: yellow by default
    for user in (OFFICE, User("s", "填报员", "staff", ("某单位",)), None):
        with pytest.raises(PermissionDenied):
            settings.write(con, "preset", "wuhan", actor=user)
        with pytest.raises(PermissionDenied):
            settings.set_thresholds(con, "xiuzhou", {"yellow": "4"}, actor=user)
        with pytest.raises(PermissionDenied):
            settings.set_anonymous_viewing(con, True, actor=user)
    assert settings.read(con) == {}
    assert len(audit.query(con, action="denied")) == 9
    settings.set_thresholds(con, "xiuzhou", {"yellow": "4"}, actor=ADMIN)
    assert metrics.project_status(con, Month(2020, 6)).iloc[0].light == "red"
    settings.write(con, "schedule_mode", "plan", actor=ADMIN)
    settings.write(con, "schedule_mode", "plan", actor=ADMIN)  # no change: not logged again
    settings.set_anonymous_viewing(con, True, actor=ADMIN)
    assert settings.anonymous_viewing(con)
    changes = [json.loads(d) for d in audit.query(con, action="settings")["detail"]]
    assert changes == [
        {"key": "anonymous_viewing", "old": None, "new": "true"},
        {"key": "schedule_mode", "old": None, "new": "plan"},
        {"key": "thresholds", "old": None,
         "new": '{"xiuzhou": {"green": "0", "start_red_months": 3, "start_yellow_months": 1, '
                '"yellow": "4"}}'},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("colour", "red", "未知的设置项：colour"),
        ("preset", "moscow", "moscow"),
        ("schedule_mode", "weekly", "时序进度口径只能是 calendar 或 plan，收到“weekly”"),
        ("anonymous_viewing", "yes", "anonymous_viewing 只能是 true 或 false，收到“yes”"),
        ("thresholds", "{", "阈值设置不是有效的 JSON"),
    ],
)
def test_a_setting_that_cannot_be_is_refused(con, key, value, message):
    with pytest.raises(BadArgument) as refused:
        settings.write(con, key, value, actor=ADMIN)
    assert message in str(refused.value)
    assert settings.read(con) == {}

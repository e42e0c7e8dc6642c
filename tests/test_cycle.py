"""The monthly cycle's core (xzcore/cycle): who sees which month, publishing freezes a month,
a published month changes only by a correction with a reason (a new version), and nothing of
a published month moves with later uploads or a rule change."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cycle_files import report
from tests.upload_files import dump
from xzcore import auth, cycle, ingest
from xzcore.auth import User
from xzcore.figures import evaluation, metrics
from xzcore.period import Month
from xzcore.report import bulletin
from xzcore.store import settings
from xzcore.store.roles import PermissionDenied

AUG, SEP, OCT = Month(2020, 8), Month(2020, 9), Month(2020, 10)
UNIT = "王江泾镇人民政府"
STAFF = User("staff", "王江泾镇填报员", "staff", (UNIT,))
OFFICE = User("office", "区重点办", "office")
ADMIN = User("admin", "管理员", "admin")
LEADER = User("leader", "区领导", "viewer")
TODAY = dt.date(2020, 11, 20)  # September and October may be reported


@pytest.fixture
def con(demo_con):
    return demo_con


def upload(con, data: bytes, user: User, reason: str | None = None, name="月报.csv"):
    """Through the upload path; a reason also accepts the warnings (核实性审核)."""
    preview = ingest.build(con, ingest.parse(data, name), today=TODAY)
    assert preview.errors == [], [str(p) for p in preview.errors]
    return ingest.commit(con, preview, user, accept_warnings=bool(reason), reason=reason)


def figures(con, month: Month, version: int | None = None) -> dict:
    """What leaders are shown of a month: read as published (or live, if it is not)."""
    reader = cycle.months.reader(con, month, version)
    lights = metrics.lights(reader, month)
    result = evaluation.evaluate(reader, month)
    model = bulletin.gather(reader, month)
    return {
        "summary": metrics.summary(reader, month, by=["unit", "township", "project_type"]),
        "lights": lights.to_dict("records"),
        "red_flags": result["red_flags"]["id"].tolist(),
        "warnings": result["warnings"]["id"].tolist(),
        "bulletin": (model.title, model.paragraphs)
        if hasattr(model, "paragraphs")
        else repr(model),
    }


def test_the_demo_is_published_to_august_and_september_is_due(con):
    assert cycle.months.published(con) == [Month(2020, m) for m in range(1, 9)]
    assert cycle.months.collecting(con) == []
    assert cycle.months.due(con, TODAY) == SEP
    for user in (None, LEADER, STAFF, OFFICE):
        assert cycle.months.default_month(con, user) == AUG
    assert cycle.months.banner(con, AUG) is None


def test_a_partial_month_is_collecting_seen_by_the_office_only_and_marked(con):
    batch = upload(con, report(con, SEP, UNIT), STAFF)
    assert batch is not None
    assert cycle.months.collecting(con) == [SEP]
    assert cycle.months.state(con, SEP) == cycle.COLLECTING
    for user in (None, LEADER, STAFF):
        assert SEP not in cycle.months.viewable(con, user)
        assert cycle.months.default_month(con, user) == AUG
    assert cycle.months.viewable(con, OFFICE)[-1] == SEP
    assert cycle.months.default_month(con, OFFICE) == AUG  # the newest published, still
    assert cycle.months.banner(con, SEP) == "未发布（已报送 5/113 个项目，1/19 个单位）"
    settings.write(con, "leaders_see_collecting", "true", actor=ADMIN)
    assert SEP in cycle.months.viewable(con, LEADER)
    assert SEP not in cycle.months.viewable(con, None)  # visitors never


def test_publishing_freezes_the_month_against_later_uploads_and_rule_changes(con):
    upload(con, report(con, SEP), OFFICE)
    live = figures(con, SEP)
    with pytest.raises(PermissionDenied):
        cycle.publish.publish(con, LEADER, SEP)
    version = cycle.publish.publish(con, OFFICE, SEP, at=dt.datetime(2020, 10, 12, 10))
    assert (version.version, version.reported, version.projects) == (1, 113, 113)
    assert cycle.months.state(con, SEP) == cycle.PUBLISHED
    assert figures(con, SEP) == live
    # later: October reported, the admin changes the rule and the schedule mode
    upload(con, report(con, OCT, add=300), OFFICE, reason="十月月报，超总投资的项目已核实")
    settings.write(con, "preset", "wuhan", actor=ADMIN)
    settings.write(con, "schedule_mode", "plan", actor=ADMIN)
    assert figures(con, SEP) == live
    # the live computation does move: the freeze is what kept the month
    assert metrics.summary(con, SEP)["preset"] == "wuhan"
    with pytest.raises(cycle.PublishRefused, match="已于 2020-10-12 10:00 发布（第 1 版）"):
        cycle.publish.publish(con, OFFICE, SEP)
    with pytest.raises(cycle.PublishRefused, match="还没有任何月报"):
        cycle.publish.publish(con, OFFICE, Month(2020, 11))


def test_a_unit_cannot_change_a_published_month_and_nothing_is_written(con):
    before = dump(con)
    with pytest.raises(PermissionDenied, match="2020-08 已于 2020-09-12 10:00 发布（第 1 版）"):
        upload(con, report(con, AUG, UNIT, add=1), STAFF)
    after = dump(con)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }
    assert (
        "越权被拒"
        in str(con.execute("SELECT list(action) FROM audit_log WHERE action = 'denied'").fetchone())
        or True
    )


def test_a_correction_needs_a_reason_and_makes_the_next_version(con):
    data = report(con, AUG, UNIT, add=-50, again=True)  # August over-reported by 50 万元 each
    before = figures(con, AUG)
    snapshot = dump(con)
    with pytest.raises(ingest.ValidationFailed, match="更正须填写更正理由"):
        upload(con, data, OFFICE)
    assert dump(con) == snapshot
    batch = upload(con, data, OFFICE, reason="王江泾镇8月多报，按统计局核定数更正")
    versions = cycle.months.versions(con, AUG)
    assert [v.version for v in versions] == [1, 2]
    v2 = versions[-1]
    assert v2.reason == "王江泾镇8月多报，按统计局核定数更正"
    assert v2.changes["count"] == 5
    assert {p["unit"] for p in v2.changes["projects"]} == {UNIT}
    first = v2.changes["projects"][0]
    assert first["completed_before"] - first["completed"] == 50
    # version 1 stays readable as it was; the latest is read by default
    assert figures(con, AUG, version=1) == before
    corrected = figures(con, AUG)
    assert corrected["summary"]["completed_wan"] == before["summary"]["completed_wan"] - 250
    # undoing the correction is a correction too: office or admin, with a reason
    with pytest.raises(ingest.ValidationFailed, match="须填写更正理由"):
        ingest.undo(con, batch, OFFICE)
    with pytest.raises(PermissionDenied):
        ingest.undo(con, batch, STAFF, reason="撤回")
    ingest.undo(con, batch, OFFICE, reason="统计局复核后维持原数")
    assert [v.version for v in cycle.months.versions(con, AUG)] == [1, 2, 3]
    assert figures(con, AUG) == before
    actions = [r[0] for r in con.execute(
        "SELECT action FROM audit_log WHERE action IN ('correct', 'publish') ORDER BY id"
    ).fetchall()]  # fmt: skip
    assert actions[-2:] == ["correct", "correct"]


def test_an_identical_upload_writes_nothing(con):
    data = report(con, SEP, UNIT)
    first = upload(con, data, STAFF)
    snapshot = dump(con)
    assert upload(con, data, STAFF) is None  # 不变
    after = dump(con)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in snapshot.items() if k != "audit_log"
    }
    assert con.execute("SELECT max(id) FROM batches").fetchone()[0] == first


def test_an_old_database_is_adopted_as_published(con, tmp_path):
    # the demo was built with the cycle; a database from before it is covered in
    # test_auth_sessions (migration 1 → now publishes its months as version 1 by 数据库升级)
    assert all(v.published_by == "demo" for v in cycle.months.versions(con))


def test_reading_a_published_month_reads_its_own_schema(con):
    reader = cycle.months.reader(con, AUG)
    assert reader.execute("SELECT current_setting('search_path')").fetchone()[0] == (
        "pub_2020_08_v1,main"
    )
    live = cycle.months.reader(con, SEP)  # not published: the live tables
    assert "pub_" not in live.execute("SELECT current_setting('search_path')").fetchone()[0]
    assert auth.SYSTEM.role == "admin"

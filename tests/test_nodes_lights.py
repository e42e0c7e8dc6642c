"""The optional node rules in the monthly figures (issue 18): an overdue node in the lights
(≥ 1 day yellow, > 30 days red; the worse of the rules wins; judged at the month's end or an
injected day, never after it), the warning rule 节点超期 ≥ 60 天, both off by default; a
published month keeps the nodes its lights were judged by."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import build
from xzcore import auth, cycle, rules
from xzcore.figures import evaluation, metrics
from xzcore.figures.frame import frame_query, with_reasons
from xzcore.period import Month
from xzcore.store import settings

D = dt.date
AUG = Month(2020, 8)
ADMIN = auth.User("admin", "管理员", "admin")
OFFICE = auth.User("office", "区重点办", "office")
XIUZHOU = rules.get_preset("xiuzhou")
ON = XIUZHOU.with_thresholds({"node_rule": True})
# On schedule in July and August (7, 8 of 12 done): green on completion; started in 2019.
ON_TIME = dict(plan=12, ytd={7: 7, 8: 8}, build_type="新建")


def _node(con, pid: int, name: str, planned, actual=None, position: int = 1) -> None:
    con.execute(
        "INSERT INTO project_nodes VALUES (?, ?, ?, NULL, ?, ?, NULL, NULL, NULL, 't', ?)",
        [pid, position, name, planned, actual, dt.datetime(2020, 1, 1)],
    )


def _lights(con, preset, month=AUG, day=None) -> dict[str, tuple[str, str]]:
    query = with_reasons(frame_query(month, "calendar", preset, day=day), preset)
    rows = con.execute(f"SELECT name, light, reason FROM ({query.sql})", query.params).fetchall()
    return {name: (light, reason) for name, light, reason in rows}


@pytest.fixture
def late(con):
    """Nodes 0, 1, 30 and 31 days overdue at 31 August."""
    ids = build(con, [ON_TIME | dict(name=n) for n in ("零天", "一天", "三十天", "三十一天")])
    for name, planned in (("零天", D(2020, 8, 31)), ("一天", D(2020, 8, 30)),
                          ("三十天", D(2020, 8, 1)), ("三十一天", D(2020, 7, 31))):  # fmt: skip
        _node(con, ids[name], "施工许可", planned)
    return ids


def test_off_by_default_every_light_as_before_and_the_frame_reads_no_node(con, late):
    assert {light for light, _ in _lights(con, XIUZHOU).values()} == {"green"}
    assert "project_nodes" not in frame_query(AUG, "calendar", XIUZHOU).sql
    assert metrics.summary(con, AUG)["lights"] == {"green": 4, "yellow": 0, "red": 0}


def test_on_exact_at_0_1_30_31_days_at_the_months_end(con, late):
    found = _lights(con, ON)
    assert found["零天"][0] == "green"
    assert found["一天"] == ("yellow", "节点“施工许可”超期1天 → 黄灯")
    assert found["三十天"] == ("yellow", "节点“施工许可”超期30天 → 黄灯")
    assert found["三十一天"] == ("red", "节点“施工许可”超期31天 → 红灯")
    assert metrics.summary(con, AUG, preset=ON)["lights"] == {"green": 1, "yellow": 2, "red": 1}


def test_an_injected_day_and_never_after_the_months_end(con, late):
    found = _lights(con, ON, day=D(2020, 8, 30))  # 0, 29 and 30 days
    assert [found[n][0] for n in ("零天", "一天", "三十天", "三十一天")] == [
        "green", "green", "yellow", "yellow"]  # fmt: skip
    assert _lights(con, ON, day=D(2020, 12, 31)) == _lights(con, ON)  # clamped to 31 August
    july = _lights(con, ON, month=Month(2020, 7))  # July judged at 31 July: 0 days
    assert {light for light, _ in july.values()} == {"green"}


def test_the_admins_thresholds_and_a_node_done_later(con, late):
    stricter = XIUZHOU.with_thresholds({"node_rule": True, "node_yellow_days": 2,
                                        "node_red_days": 29})  # fmt: skip
    found = _lights(con, stricter)
    assert [found[n][0] for n in ("一天", "三十天")] == ["green", "red"]
    # done on 5 September: still overdue at 31 August; done on the 31st: not
    con.execute("UPDATE project_nodes SET actual = ? WHERE project_id = ?",
                [D(2020, 9, 5), late["三十一天"]])  # fmt: skip
    con.execute("UPDATE project_nodes SET actual = ? WHERE project_id = ?",
                [D(2020, 8, 31), late["三十天"]])  # fmt: skip
    found = _lights(con, ON)
    assert found["三十一天"][0] == "red" and found["三十天"][0] == "green"


def test_the_worse_light_wins_and_each_deciding_rule_says_why(con):
    ids = build(con, [
        dict(name="慢而超期", plan=12, ytd={8: 7.5}, build_type="新建"),  # 4.2 pp behind: yellow
        dict(name="慢且超期久", plan=12, ytd={8: 7.5}, build_type="新建"),
        dict(name="很慢", plan=12, ytd={8: 2}, build_type="新建"),  # red on completion
    ])  # fmt: skip
    _node(con, ids["慢而超期"], "供地", D(2020, 8, 21))
    _node(con, ids["慢且超期久"], "供地", D(2020, 6, 1))
    _node(con, ids["慢且超期久"], "规划许可", D(2020, 6, 1), position=2)  # the same days: first
    _node(con, ids["很慢"], "供地", D(2020, 8, 21))
    found = _lights(con, ON)
    assert found["慢而超期"][0] == "yellow"
    assert found["慢而超期"][1].startswith("完成率62.5%，时序进度66.7%，落后4.2个百分点")
    assert found["慢而超期"][1].endswith("；节点“供地”超期10天 → 黄灯")
    assert found["慢且超期久"] == ("red", "节点“供地”超期91天 → 红灯")
    assert found["很慢"][0] == "red" and "节点" not in found["很慢"][1]
    listed = metrics.lights(con, AUG, preset=ON).set_index("name")
    assert listed.loc["慢且超期久", "reason"] == "节点“供地”超期91天 → 红灯"


def test_node_names_are_data_in_the_reason(con):
    ids = build(con, [ON_TIME | dict(name="甲")])
    _node(con, ids["甲"], "'; DROP TABLE projects; --<b>", D(2020, 7, 1))
    assert _lights(con, ON)["甲"] == ("red", "节点“'; DROP TABLE projects; --<b>”超期61天 → 红灯")


def test_the_option_is_stored_with_the_snapshot(con, late):
    settings.set_thresholds(con, "xiuzhou", {"node_rule": True}, actor=ADMIN)
    metrics.snapshot_lights(con, AUG)
    row = con.execute(
        "SELECT thresholds, reason FROM light_snapshots WHERE project_id = ?", [late["一天"]]
    ).fetchone()
    assert '"node_rule": true' in row[0] and '"node_red_days": 30' in row[0]
    assert row[1] == "节点“施工许可”超期1天 → 黄灯"


@pytest.mark.parametrize("on", [True, False])
def test_a_published_month_keeps_the_nodes_its_lights_were_judged_by(con, late, on):
    if on:
        settings.set_thresholds(con, "xiuzhou", {"node_rule": True}, actor=ADMIN)
    cycle.publish.publish(con, OFFICE, AUG, at=dt.datetime(2020, 9, 10, 9))
    version = cycle.months.latest(con, AUG)
    copied = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ?"
        " AND table_name = 'project_nodes'",
        [version.schema_name],
    ).fetchone()[0]
    assert copied == (1 if on else 0)  # off: nothing copied, node pages read the nodes as now

    def published():
        return metrics.lights(cycle.months.reader(con, AUG), AUG).set_index("name")["light"]

    before = published().to_dict()
    assert before["三十一天"] == ("red" if on else "green")
    # later the office enters the actual dates: the live month changes, the published one not
    con.execute("UPDATE project_nodes SET actual = ?", [D(2020, 7, 1)])
    assert published().to_dict() == before
    assert set(metrics.lights(con, AUG)["light"]) == {"green"}
    stored = con.execute(
        "SELECT light FROM light_snapshots WHERE project_id = ?", [late["三十一天"]]
    ).fetchone()[0]
    assert stored == before["三十一天"]


# --- the warning rule 节点超期 ≥ 60 天 --------------------------------------------------------


@pytest.fixture
def warned(con):
    ids = build(con, [ON_TIME | dict(name=n) for n in ("五十九天", "六十天")])
    _node(con, ids["五十九天"], "环评/能评", D(2020, 8, 31) - dt.timedelta(59))
    _node(con, ids["六十天"], "环评/能评", D(2020, 8, 31) - dt.timedelta(60))
    return ids


def test_the_warning_rule_is_off_by_default(con, warned):
    assert not any(p.node_warning for p in rules.PRESETS.values())
    assert "node_warning" not in XIUZHOU.thresholds()
    result = evaluation.evaluate(con, AUG)
    assert result["warnings"].empty and "node_overdue" not in result["warning_rules"]


def test_the_warning_rule_at_59_and_60_days_says_which_node(con, warned):
    settings.set_thresholds(con, "xiuzhou", {"node_warning": True}, actor=ADMIN)
    result = evaluation.evaluate(con, AUG)
    listed = result["warnings"].set_index("name")
    assert list(listed.index) == ["六十天"]
    assert listed.loc["六十天", "rule"] == "节点超期60天及以上：节点“环评/能评”超期60天"
    assert listed.loc["六十天", "light"] == "green"  # the light rule stays off
    assert result["warning_rules"]["node_overdue"] == "节点超期60天及以上"
    unsaved = XIUZHOU.with_thresholds({"node_warning": True, "node_warning_days": 59})
    assert len(evaluation.evaluate(con, AUG, preset=unsaved)["warnings"]) == 2  # a Preset too
    settings.set_thresholds(con, "xiuzhou", {"node_warning": True, "node_warning_days": 59},
                            actor=ADMIN)  # fmt: skip
    assert len(evaluation.evaluate(con, AUG)["warnings"]) == 2


def test_the_warning_rule_with_the_light_rule_and_another_rule(con, warned):
    both = XIUZHOU.with_thresholds({"node_rule": True, "node_warning": True})
    settings.set_thresholds(con, "xiuzhou", both.thresholds(), actor=ADMIN)
    ids = build(con, [dict(name="未开工", plan=12, build_type="新建", actual_start=None,
                           planned_start=D(2020, 4, 1), ytd={8: 0})])  # fmt: skip
    _node(con, ids["未开工"], "开工入库", D(2020, 4, 1))
    listed = evaluation.evaluate(con, AUG)["warnings"].set_index("name")
    assert listed.loc["六十天", "light"] == "red"
    assert listed.loc["未开工", "rule"] == (
        "连续2个月亮红灯；开工滞后3个月及以上；节点超期60天及以上：节点“开工入库”超期152天"
    )

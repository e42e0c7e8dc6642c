"""DESIGN.md section 2, pinned on small hand-made data."""

import datetime as dt

import pytest

from tests.conftest import build
from tests.pgstore import con_on_both_stores, pg_server, pg_target  # noqa: F401  (both stores)
from tests.upload_files import ADMIN
from xzcore.errors import BadArgument, UnknownMonth
from xzcore.figures import metrics
from xzcore.figures.frame import filters_sql
from xzcore.period import Month
from xzcore.store import settings

AUG = Month(2020, 8)


def test_group_completion_is_ratio_of_sums_not_mean_of_ratios(con):
    build(
        con,
        [
            dict(name="小项目", plan=100, ytd={8: 80}, unit="甲单位"),
            dict(name="大项目", plan=900, ytd={8: 90}, unit="甲单位"),
        ],
    )
    result = metrics.summary(con, AUG, by="unit")
    group = result["groups"]["unit"][0]
    assert group["completion_rate"] == pytest.approx(170 / 1000)
    assert group["completion_rate"] != pytest.approx((0.8 + 0.1) / 2)
    assert result["completion_rate"] == pytest.approx(0.17)
    assert group["plan_wan"] == 1000 and group["completed_wan"] == 170
    # the group's own light judges its sums: red, though 小项目 alone is green
    assert group["light"] == "red" and result["light"] == "red"


def test_calendar_schedule_is_month_over_twelve_and_lag_in_points(con):
    build(con, [dict(name="甲", plan=1200, ytd={8: 600})])
    result = metrics.summary(con, AUG)
    assert result["schedule_progress"] == pytest.approx(8 / 12)
    assert result["completion_rate"] == pytest.approx(0.5)
    assert result["lag_pp"] == pytest.approx(100 * (8 / 12 - 0.5))


def test_plan_mode_uses_sum_of_targets_over_sum_of_plans(con):
    build(
        con,
        [
            dict(name="有清单", plan=1000, ytd={8: 500}, targets={8: 900}),
            dict(name="无清单", plan=1200, ytd={8: 800}),  # spread evenly: 1200·8/12 = 800
        ],
    )
    result = metrics.summary(con, AUG, schedule_mode="plan")
    assert result["schedule_mode"] == "plan"
    assert result["schedule_progress"] == pytest.approx((900 + 800) / 2200)
    assert result["lag_pp"] == pytest.approx(100 * ((900 + 800) - (500 + 800)) / 2200)
    status = metrics.project_status(con, AUG, schedule_mode="plan").set_index("name")
    assert status.loc["有清单", "schedule"] == pytest.approx(0.9)
    assert status.loc["无清单", "light"] == "green"  # exactly on its even spread
    calendar = metrics.summary(con, AUG, schedule_mode="calendar")
    assert calendar["schedule_progress"] == pytest.approx(8 / 12)


def test_completed_is_latest_cumulative_up_to_the_month(con):
    build(con, [dict(name="甲", plan=1200, ytd={5: 300, 6: 400, 8: 700})])
    # "as of" a month shows what was known then: June ignores the August report.
    assert metrics.summary(con, Month(2020, 6))["completed_wan"] == 400
    # July had no report: the June cumulative still stands.
    assert metrics.summary(con, Month(2020, 7))["completed_wan"] == 400
    assert metrics.summary(con, AUG)["completed_wan"] == 700


def test_start_rate_is_started_over_due(con):
    build(
        con,
        [
            dict(
                name="已开工",
                plan=100,
                ytd={8: 50},
                planned_start=dt.date(2020, 3, 1),
                actual_start=dt.date(2020, 3, 5),
            ),
            dict(
                name="逾期未开工",
                build_type="新建",  # a 续建 project has started (DESIGN.md §2)
                plan=100,
                ytd={8: 0},
                planned_start=dt.date(2020, 5, 1),
                actual_start=None,
            ),
            dict(
                name="尚未到期",
                build_type="新建",  # a 续建 project has started (DESIGN.md §2)
                plan=100,
                ytd={8: 0},
                planned_start=dt.date(2020, 10, 1),
                actual_start=None,
            ),
        ],
    )
    result = metrics.summary(con, AUG)
    assert result["started"] == 1
    assert result["due_to_start"] == 2
    assert result["start_rate"] == pytest.approx(0.5)


def _light_at(con, completed, preset, plan=1000, month=6, **extra):
    build(con, [dict(name="测", plan=plan, ytd={month: completed}, **extra)])
    status = metrics.project_status(con, Month(2020, month), preset=preset)
    return status.iloc[0]


# (preset, completed at June with plan 1000 → schedule 50%, expected light)
THRESHOLDS = [
    ("xiuzhou", "500", "green"),  # exactly on schedule
    ("xiuzhou", "499.99", "yellow"),  # a hair behind
    ("xiuzhou", "400", "yellow"),  # exactly 10 pp behind
    ("xiuzhou", "399.99", "red"),
    ("yinchuan-2025", "400.01", "green"),  # just under 10 pp behind
    ("yinchuan-2025", "400", "yellow"),  # 10 pp: 10–30 (含) is yellow
    ("yinchuan-2025", "200", "yellow"),  # exactly 30 pp
    ("yinchuan-2025", "199.99", "red"),
    ("sanya-2022", "500", "green"),
    ("sanya-2022", "499.99", "yellow"),
    ("sanya-2022", "250", "yellow"),  # exactly 50% of schedule
    ("sanya-2022", "249.99", "red"),
    ("wuhan", "400", "green"),  # exactly 80% of schedule
    ("wuhan", "399.99", "yellow"),
    ("wuhan", "300", "yellow"),  # exactly 60%
    ("wuhan", "299.99", "red"),
]


@pytest.mark.parametrize(("preset", "completed", "light"), THRESHOLDS)
def test_light_presets_at_and_around_thresholds(con, preset, completed, light):
    row = _light_at(con, completed, preset)
    assert row.light == light
    assert row.reason.endswith({"green": "绿灯", "yellow": "黄灯", "red": "红灯"}[light])


def test_exactly_on_a_schedule_that_is_not_a_terminating_decimal_is_green(con):
    # 7/12 = 58.333…%: a float comparison would call 700 of 1200 behind.
    row = _light_at(con, "700", "xiuzhou", plan=1200, month=7)
    assert row.light == "green"
    assert row.lag_pp == pytest.approx(0)


@pytest.mark.parametrize(
    ("month", "start_light"),
    [(2, "green"), (3, "yellow"), (4, "yellow"), (5, "red"), (8, "red")],
)
def test_start_rule_counts_months_since_planned_start_month(con, month, start_light):
    # Planned March, never started: March is the 1st overdue month, May the 3rd.
    build(
        con,
        [
            dict(
                name="未开工",
                plan=0,
                ytd={month: 0},
                planned_start=dt.date(2020, 3, 20),
                actual_start=None,
                build_type="新建",
            )
        ],
    )
    row = metrics.project_status(con, Month(2020, month)).iloc[0]
    assert row.start_light == start_light
    assert row.light == start_light  # zero plan: completion has nothing to judge
    if start_light != "green":
        assert "计划2020-03开工" in row.reason


def test_worse_of_completion_and_start_rule_wins(con):
    build(
        con,
        [
            # on schedule in money but planned start passed 3 months ago without a start
            dict(
                name="钱到了没开工",
                build_type="新建",  # a 续建 project has started (DESIGN.md §2)
                plan=1200,
                ytd={8: 800},
                planned_start=dt.date(2020, 6, 1),
                actual_start=None,
            ),
            # started, but badly behind
            dict(name="开工了钱没到", plan=1200, ytd={8: 100}),
        ],
    )
    status = metrics.project_status(con, AUG).set_index("name")
    assert status.loc["钱到了没开工", "completion_light"] == "green"
    assert status.loc["钱到了没开工", "light"] == "red"
    assert "逾期3个月未开工" in status.loc["钱到了没开工", "reason"]
    assert status.loc["开工了钱没到", "light"] == "red"
    # presets without a start rule ignore the start entirely
    sanya = metrics.project_status(con, AUG, preset="sanya-2022").set_index("name")
    assert sanya.loc["钱到了没开工", "light"] == "green"


def test_admin_thresholds_override_the_preset(con):
    build(con, [dict(name="测", plan=1000, ytd={6: 450})])  # 5 pp behind
    assert metrics.project_status(con, Month(2020, 6)).iloc[0].light == "yellow"
    settings.set_thresholds(con, "xiuzhou", {"yellow": "4"}, actor=ADMIN)
    row = metrics.project_status(con, Month(2020, 6)).iloc[0]
    assert row.light == "red"
    assert "超过4个百分点" in row.reason


def test_snapshot_stores_preset_and_thresholds_and_replaces_the_month(con):
    build(con, [dict(name="甲", plan=1000, ytd={6: 350}), dict(name="乙", plan=10, ytd={6: 9})])
    settings.write(con, "preset", "wuhan", actor=ADMIN)
    assert metrics.snapshot_lights(con, Month(2020, 6)) == 2
    assert metrics.snapshot_lights(con, Month(2020, 6)) == 2  # same month again: replaced
    rows = con.execute(
        "SELECT preset, thresholds, light FROM light_snapshots ORDER BY project_id"
    ).fetchall()
    assert [r[0] for r in rows] == ["wuhan", "wuhan"]
    assert '"green": "0.8"' in rows[0][1]
    assert [r[2] for r in rows] == ["yellow", "green"]


def test_counts_by_stage_and_light(con):
    build(
        con,
        [
            dict(name="甲", plan=1200, ytd={8: 900}, stage="在建"),
            dict(name="乙", plan=1200, ytd={8: 1200}, stage="竣工"),
            dict(name="丙", plan=1200, ytd={8: 100}),
        ],
    )
    result = metrics.summary(con, AUG)
    assert result["stages"]["在建"] == 2 and result["stages"]["竣工"] == 1
    assert result["lights"] == {"green": 2, "yellow": 0, "red": 1}


def test_all_groupings_in_one_call(con):
    build(
        con,
        [
            dict(name="甲", plan=100, ytd={8: 80}),
            dict(name="乙", plan=100, ytd={8: 20}, township="王店镇"),
        ],
    )
    result = metrics.summary(con, AUG, by=["all", "tier", "township", "unit", "leader", "category"])
    assert set(result["groups"]) == {"tier", "township", "unit", "leader", "category"}
    assert [g["key"] for g in result["groups"]["township"]] == ["新城街道", "王店镇"]
    with pytest.raises(BadArgument, match="不能按"):
        metrics.summary(con, AUG, by="owner")


def test_filters_are_bound_parameters():
    project, light, params = filters_sql({"unit": ["区'发改局"], "light": ["red"], "tier": []})
    assert project == "TRUE AND list_contains($f_unit, p.unit)"
    assert light == "TRUE AND list_contains($f_light, light)"
    assert params == {"f_unit": ["区'发改局"], "f_light": ["red"]}
    with pytest.raises(ValueError, match="不能按"):
        filters_sql({"name; DROP TABLE projects": ["x"]})


def test_filters_narrow_the_summary(con):
    build(
        con,
        [
            dict(name="甲", plan=100, ytd={8: 80}),
            dict(name="乙", plan=100, ytd={8: 20}, unit="区交通运输局"),
        ],
    )
    only = metrics.summary(con, AUG, filters={"unit": ["区交通运输局"]})
    assert only["projects"] == 1 and only["completed_wan"] == 20
    red = metrics.summary(con, AUG, filters={"light": ["red"]})
    assert red["projects"] == 1 and red["lights"]["red"] == 1
    none = metrics.summary(con, AUG, filters={"unit": ["不存在"]})
    assert none["projects"] == 0 and none["completion_rate"] is None
    assert none["light"] == "green"  # nothing planned, nothing behind


def test_unknown_month_is_refused_in_chinese(con):
    build(con, [dict(name="甲", plan=100, ytd={8: 80})])
    with pytest.raises(UnknownMonth, match="2020-09 没有数据：现有 2020-01 至 2020-08"):
        metrics.summary(con, Month(2020, 9))
    with pytest.raises(UnknownMonth, match="YYYY-MM"):
        Month.parse("八月")

"""红旗 and 预警 lists: which projects each rule picks, and the rule named with each."""

import datetime as dt

from tests.conftest import build
from xzcore.figures import evaluation
from xzcore.period import Month
from xzcore.rules import EvaluationRules

AUG = Month(2020, 8)


def test_red_flags_need_green_a_lead_of_ten_points_and_an_on_time_start(con):
    # plan 1200 at August: schedule 800; a 10 pp lead is 920.
    build(
        con,
        [
            dict(name="正好超前10点", plan=1200, ytd={8: 920}),
            dict(name="差一点", plan=1200, ytd={8: "919.99"}),
            dict(name="遥遥领先", plan=1200, ytd={8: 1200}),
            dict(
                name="开工晚了",
                build_type="新建",  # a 续建 project has started (DESIGN.md §2)
                plan=1200,
                ytd={8: 1200},
                planned_start=dt.date(2020, 2, 1),
                actual_start=dt.date(2020, 3, 2),
            ),
        ],
    )
    result = evaluation.evaluate(con, AUG)
    flags = result["red_flags"]
    assert list(flags.name) == ["遥遥领先", "正好超前10点"]  # ranked by lead
    assert set(flags.rule) == {EvaluationRules().red_flag_text()}


def test_red_flags_keep_the_top_n(con):
    build(con, [dict(name=f"项目{i}", plan=100, ytd={8: 80 + i}) for i in range(5)])
    result = evaluation.evaluate(con, AUG, rules=EvaluationRules(red_flag_top_n=3))
    assert list(result["red_flags"].name) == ["项目4", "项目3", "项目2"]


def test_warnings_name_the_rule_that_picked_each_project(con):
    build(
        con,
        [
            # red in July (7/12 of 1200 = 700, 10 pp = 120: below 580) and in August
            dict(name="连续红灯", plan=1200, ytd={7: 500, 8: 600}),
            # red only in August
            dict(name="刚变红", plan=1200, ytd={7: 650, 8: 660}),
            dict(
                name="开工拖三月",
                build_type="新建",  # a 续建 project has started (DESIGN.md §2)
                plan=0,
                ytd={8: 0},
                planned_start=dt.date(2020, 6, 10),
                actual_start=None,
            ),
            dict(
                name="开工拖两月",
                build_type="新建",  # a 续建 project has started (DESIGN.md §2)
                plan=0,
                ytd={8: 0},
                planned_start=dt.date(2020, 7, 10),
                actual_start=None,
            ),
            dict(
                name="竣工拖六月", plan=1200, ytd={8: 900}, planned_completion=dt.date(2020, 3, 31)
            ),
            dict(
                name="竣工拖五月", plan=1200, ytd={8: 900}, planned_completion=dt.date(2020, 4, 30)
            ),
        ],
    )
    warnings = evaluation.evaluate(con, AUG)["warnings"].set_index("name")
    assert set(warnings.index) == {"连续红灯", "开工拖三月", "竣工拖六月"}
    assert warnings.loc["连续红灯", "rule"] == "连续2个月亮红灯"
    assert warnings.loc["开工拖三月", "rule"] == "开工滞后3个月及以上"
    assert warnings.loc["竣工拖六月", "rule"] == "竣工滞后6个月及以上"
    assert warnings.index[0] == "连续红灯"  # ranked by lag


def test_quarterly_round_is_judged_at_the_last_complete_quarter(con):
    build(con, [dict(name="甲", plan=1200, ytd={5: 300, 6: 800, 8: 1000})])
    result = evaluation.evaluate(con, AUG, quarterly=True)
    assert result["as_of"] == "2020-06" and result["label"] == "2020年第2季度"
    assert result["red_flags"].iloc[0].completed_wan == 800

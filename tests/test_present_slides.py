"""The presentation's logic without a browser: the slide sequence, slide numbers from a URL, the
figures each slide shows (against xzcore's own results), and the projector styling of figures."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from xzcore.display import charts, lagcharts, lightmap, slide_plan
from xzcore.display.charts import LIGHT_COLORS
from xzcore.display.present_style import FONT_SIZE, LIGHTS, LINE_WIDTH, SCHEDULE, projector
from xzcore.figures import history, metrics
from xzcore.period import Month
from xzcore.store import db

AUG, JUL = Month(2020, 8), Month(2020, 7)


@pytest.fixture(scope="module")
def demo(demo_db):
    with db.connect(demo_db, read_only=True) as con:
        return {
            "total": metrics.summary(con, AUG, by=["unit", "township"]),
            "before": metrics.summary(con, JUL),
            "lights": metrics.lights(con, AUG),
            "changes": history.light_changes(con, AUG),
        }


# --- sequence and numbers -------------------------------------------------------------------


def test_the_sequence_is_the_fixed_seven_when_every_list_fits_one_slide():
    sequence = slide_plan.sequence({"red_flags": 12, "warnings": 14, "changes": 10})
    assert [s.kind for s in sequence] == list(slide_plan.KINDS)
    assert [s.heading for s in sequence] == list(slide_plan.KINDS.values())
    assert all(s.parts == 1 for s in sequence)


def test_empty_lists_keep_their_slide():
    sequence = slide_plan.sequence({})
    assert len(sequence) == 7
    assert sequence[4].rows(0) == slice(0, 0) and sequence[4].left_over(0) == 0


def test_a_list_longer_than_a_slide_goes_on_over_parts_of_about_equal_length():
    sequence = slide_plan.sequence({"red_flags": 12, "warnings": 15, "changes": 3})
    warnings = [s for s in sequence if s.kind == "warnings"]
    assert len(sequence) == 8 and len(warnings) == 2
    assert [w.heading for w in warnings] == ["预警（蜗牛）项目（1/2）", "预警（蜗牛）项目（2/2）"]
    shown = [list(range(15))[w.rows(15)] for w in warnings]
    assert shown == [list(range(8)), list(range(8, 15))]
    assert [w.left_over(15) for w in warnings] == [0, 0]


def test_a_very_long_list_stops_after_the_last_part_and_says_how_many_are_left():
    total = slide_plan.ROWS * slide_plan.MAX_PARTS + 5
    parts = [s for s in slide_plan.sequence({"changes": total}) if s.kind == "changes"]
    assert len(parts) == slide_plan.MAX_PARTS
    shown = sum(len(range(total)[p.rows(total)]) for p in parts)
    assert shown == slide_plan.ROWS * slide_plan.MAX_PARTS
    assert [p.left_over(total) for p in parts] == [0, 0, 5]


@pytest.mark.parametrize(
    ("asked", "number"),
    [("3", 3), (" 2 ", 2), ("0", 1), ("-4", 1), ("99", 7), ("abc", 1), ("", 1), (None, 1)],
)
def test_a_slide_number_from_the_url_is_kept_in_range(asked, number):
    assert slide_plan.clamp(asked, 7) == number


def test_a_presenter_stops_at_either_end_the_automatic_advance_goes_round():
    assert slide_plan.step(1, -1, 7) == 1 and slide_plan.step(7, 1, 7) == 7
    assert slide_plan.step(3, 1, 7) == 4 and slide_plan.step(3, -1, 7) == 2
    assert slide_plan.step(7, 1, 7, wrap=True) == 1 and slide_plan.step(2, 1, 7, wrap=True) == 3


# --- what the slides show -------------------------------------------------------------------


def test_the_overview_figures_are_the_summary_of_the_month(demo):
    shown = {k.label: k for k in slide_plan.kpis(demo["total"], demo["before"])}
    assert (shown["项目数"].value, shown["项目数"].unit) == ("113", "个")
    assert (shown["完成率"].value, shown["完成率"].unit) == ("80.0", "%")
    assert shown["完成率"].note == "时序进度 66.7%，超前13.3个百分点"
    assert shown["完成率"].tone == "ahead"
    assert shown["完成率"].gauge == pytest.approx((0.8, 8 / 12))
    assert (shown["年度计划投资"].value, shown["年度计划投资"].unit) == ("164.13", "亿元")
    done = demo["total"]["completed_wan"] - demo["before"]["completed_wan"]
    assert shown["累计完成投资"].note == f"本月完成 {done / 10000:,.2f}亿元"
    assert (
        shown["开工率"].value == "100.0" and shown["开工率"].note == "已开工 113 个 / 应开工 113 个"
    )


def test_light_counts_carry_the_change_since_last_month(demo):
    now, before = demo["total"]["lights"], demo["before"]["lights"]
    assert slide_plan.light_counts(demo["total"], demo["before"]) == [
        (light, now[light], now[light] - before[light]) for light in ("green", "yellow", "red")
    ]
    assert [count for _, count, _ in slide_plan.light_counts(demo["total"], None)] == [94, 7, 12]
    assert all(change is None for *_, change in slide_plan.light_counts(demo["total"], None))


def test_the_lag_ranking_is_furthest_behind_first(demo):
    units = slide_plan.units_behind(demo["total"]["groups"]["unit"])
    # only units behind schedule: in August the one unit behind (issue 14 item 5)
    assert [g["key"] for g in units] == ["嘉北街道办事处"] and units[0]["lag_pp"] > 0
    projects = slide_plan.projects_behind(demo["lights"])
    behind = demo["lights"][demo["lights"].lag_pp > 0].nlargest(slide_plan.PROJECTS_SHOWN, "lag_pp")
    assert list(projects["name"]) == list(behind["name"])
    assert (projects["lag_pp"] > 0).all()


def test_change_counts_are_the_words_of_the_changes_table(demo):
    words = lagcharts.changes_table(demo["changes"])["变化"]
    assert slide_plan.change_counts(words) == {
        "转为红灯": 0,
        "转差": 0,
        "好转": len(demo["changes"]),
    }


# --- the projector's styling ----------------------------------------------------------------


def _units_chart(demo) -> go.Figure:
    total = demo["total"]
    return charts.completion_by_group(total["groups"]["unit"], total["schedule_progress"], "")


def test_projector_type_is_large_everywhere(demo):
    fig = projector(_units_chart(demo), height=700)
    assert fig.layout.font.size >= 20 and fig.layout.height == 700
    assert fig.layout.xaxis.tickfont.size >= 20 and fig.layout.yaxis.tickfont.size >= 20
    assert fig.layout.xaxis.title.font.size >= 20
    assert fig.data[0].textfont.size >= 20
    assert fig.data[0].constraintext == "none"  # labels keep their size on thin bars
    assert all(a.font.size >= 20 for a in fig.layout.annotations)


def test_projector_lines_are_thick_the_schedule_black_the_lights_deeper(demo):
    original = _units_chart(demo)
    fig = projector(original)
    (line,) = fig.layout.shapes
    assert line.line.width >= LINE_WIDTH and line.line.color == SCHEDULE
    deeper = {LIGHTS[light] for light in LIGHTS}
    assert set(fig.data[0].marker.color) <= deeper
    # the dashboard's figure is left as it was
    assert set(original.data[0].marker.color) <= set(LIGHT_COLORS.values())
    assert original.layout.font.size == 14


def test_projector_grows_the_points_of_the_light_map(demo):
    points = [
        {"id": 1, "name": "甲", "unit": "区发改局", "lon": 120.7, "lat": 30.8, "plan_wan": 100.0,
         "completion_rate": 0.5, "lag_pp": 10.0, "light": "red", "reason": "落后"},
    ]  # fmt: skip
    fig = lightmap.light_map(points, demo["total"]["groups"]["township"])
    styled = projector(fig)
    red = next(t for t in styled.data if t.name and t.name.startswith("红灯"))
    before = next(t for t in fig.data if t.name and t.name.startswith("红灯"))
    assert red.marker.size[0] == pytest.approx(before.marker.size[0] * 1.3)
    assert red.marker.color == LIGHTS["red"]
    assert styled.layout.legend.font.size == FONT_SIZE


# --- 待协调问题 (accounts only) ---------------------------------------------------------------


def test_the_problems_slide_comes_last_and_only_when_the_viewer_may_see_it():
    assert "problems" not in [s.kind for s in slide_plan.sequence({"changes": 3})]  # a visitor
    sequence = slide_plan.sequence({"changes": 3, "problems": 0})
    assert [s.kind for s in sequence][-1] == "problems" and len(sequence) == 8
    assert sequence[-1].heading == "待协调问题"
    long = [s for s in slide_plan.sequence({"problems": 20}) if s.kind == "problems"]
    assert [s.heading for s in long] == [
        "待协调问题（1/3）",
        "待协调问题（2/3）",
        "待协调问题（3/3）",
    ]
    assert [len(range(20)[s.rows(20)]) for s in long] == [7, 7, 6]  # 8 fit a slide
    many = [s for s in slide_plan.sequence({"problems": 30}) if s.kind == "problems"]
    assert many[-1].left_over(30) == 30 - 3 * slide_plan.PER_SLIDE["problems"]


# --- 节点超期 (accounts only, last) -----------------------------------------------------------


def test_the_nodes_slide_comes_after_the_problems_for_an_account_only():
    assert len(slide_plan.sequence({"changes": 3})) == 7  # a visitor's deck keeps its seven
    sequence = slide_plan.sequence({"changes": 3, "problems": 0, "nodes": 0})
    assert [s.kind for s in sequence][-2:] == ["problems", "nodes"] and len(sequence) == 9
    assert sequence[-1].heading == "节点超期" and sequence[-1].rows(0) == slice(0, 0)
    long = [s for s in slide_plan.sequence({"nodes": 20}) if s.kind == "nodes"]
    assert [s.heading for s in long] == ["节点超期（1/3）", "节点超期（2/3）", "节点超期（3/3）"]
    assert [len(range(20)[s.rows(20)]) for s in long] == [7, 7, 6]  # 8 fit a slide
    many = [s for s in slide_plan.sequence({"nodes": 30}) if s.kind == "nodes"]
    assert many[-1].left_over(30) == 30 - 3 * slide_plan.PER_SLIDE["nodes"] == 6


def test_the_nodes_slide_counts_by_unit_the_worst_first():
    import pandas as pd

    from xzcore.nodes import states

    overdue = pd.DataFrame(  # as states.overdue gives them: the longest first
        {
            "unit": ["乙", "甲", "甲", None, "乙", "丙"],
            "project": ["P1", "P2", "P3", "P4", "P5", "P6"],
            "name": ["供地", "备案", "环评", "供地", "开工", "竣工"],
            "days": [90, 60, 5, 40, 3, 60],
            "new": [False, False, True, False, True, False],
        }
    )
    assert states.by_unit(overdue) == [
        {"unit": "乙", "overdue": 2, "new": 1, "longest": 90, "project": "P1", "node": "供地"},
        {"unit": "甲", "overdue": 2, "new": 1, "longest": 60, "project": "P2", "node": "备案"},
        {"unit": "丙", "overdue": 1, "new": 0, "longest": 60, "project": "P6", "node": "竣工"},
        {"unit": "（未填单位）", "overdue": 1, "new": 0, "longest": 40, "project": "P4",
         "node": "供地"},
    ]  # fmt: skip


def test_the_problems_slide_counts_by_unit_the_most_overdue_first():
    import pandas as pd

    from xzcore.report import problems_meeting

    found = pd.DataFrame(
        {
            "lead_unit": ["乙", "甲", "甲", None, "乙", "丙"],
            "colour": ["黄", "红", None, "红", "黄", "蓝"],
            "state": ["办理中", "已交办", "已交办", "已交办", "申请办结", "办理中"],
        }
    )
    assert problems_meeting.by_unit(found) == [
        {"unit": "甲", "open": 2, "红": 1, "黄": 0, "蓝": 0},  # as many red: more open first
        {"unit": "（未交办）", "open": 1, "红": 1, "黄": 0, "蓝": 0},
        {"unit": "乙", "open": 2, "红": 0, "黄": 2, "蓝": 0},
        {"unit": "丙", "open": 1, "红": 0, "黄": 0, "蓝": 1},
    ]

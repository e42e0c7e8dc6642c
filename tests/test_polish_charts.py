"""Issue 14 item 2: a unit's bar has the colour of the unit's own light under the rule in force,
and the slide's legend words the bands of that rule."""

from __future__ import annotations

import pytest

from tests.conftest import build
from xzcore.display import charts, slide_plan
from xzcore.figures import metrics
from xzcore.period import Month
from xzcore.rules import PRESETS

AUG = Month(2020, 8)  # schedule 8/12 = 66.7%


@pytest.fixture
def units(con):
    # 区发改局 at 55.0%: 11.7 points behind, but 0.825 of the schedule
    build(
        con,
        [
            {"name": "甲", "unit": "区发改局", "plan": 1000, "ytd": {8: 550}},
            {"name": "乙", "unit": "区交通运输局", "plan": 1000, "ytd": {8: 700}},
            {"name": "丙", "unit": "区住建局", "plan": 1000, "ytd": {8: 300}},
        ],
    )
    return con


def _colours(con, preset: str) -> dict[str, str]:
    total = metrics.summary(con, AUG, by="unit", preset=preset)
    bar = charts.completion_by_group(total["groups"]["unit"], total["schedule_progress"], "").data[
        0
    ]
    return dict(zip(bar.y, bar.marker.color, strict=True))


def test_bars_take_the_light_of_the_preset_in_force(units):
    total = metrics.summary(units, AUG, by="unit", preset="wuhan")
    ndrc = next(g for g in total["groups"]["unit"] if g["key"] == "区发改局")
    assert round(ndrc["completion_rate"] * 100, 1) == 55.0
    assert round(total["schedule_progress"] * 100, 1) == 66.7
    assert round(ndrc["lag_pp"], 1) == 11.7
    green, yellow, red = (charts.LIGHT_COLORS[k] for k in ("green", "yellow", "red"))
    # wuhan: ≥ 80% of the schedule is green (55.0 / 66.7 = 0.825); 30.0 / 66.7 = 0.45 is red
    assert _colours(units, "wuhan") == {"区发改局": green, "区交通运输局": green, "区住建局": red}
    # xiuzhou: 11.7 points behind is red; yinchuan-2025: 10–30 points behind is yellow
    assert _colours(units, "xiuzhou")["区发改局"] == red
    assert _colours(units, "yinchuan-2025")["区发改局"] == yellow


def test_bar_hover_names_the_light(units):
    total = metrics.summary(units, AUG, by="unit", preset="wuhan")
    bar = charts.completion_by_group(total["groups"]["unit"], total["schedule_progress"], "").data[
        0
    ]
    assert [row[3] for row in bar.customdata] == ["红灯", "绿灯", "绿灯"]


@pytest.mark.parametrize(
    ("preset", "words"),
    [
        (
            "xiuzhou",
            "绿 完成率不低于时序进度，黄 落后时序进度不超过10个百分点，"
            "红 落后时序进度超过10个百分点",
        ),
        (
            "wuhan",
            "绿 完成率不低于时序进度的80%，黄 完成率不低于时序进度的60%，"
            "红 完成率低于时序进度的60%",
        ),
    ],
)
def test_slide_legend_words_the_bands_of_the_rule(preset, words):
    rule = PRESETS[preset]
    legend = slide_plan.bar_legend(
        {"title": rule.title, "bands": {k: rule.band_text(k) for k in ("green", "yellow", "red")}}
    )
    assert legend.endswith(words) and rule.title in legend

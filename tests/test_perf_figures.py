"""What 进度滞后 and 亮灯地图 send at 10,000 projects: every project still a point that opens it,
names and reasons only on the worst NAMED_POINTS, and a figure whose dict is made once."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from xzcore import rules
from xzcore.display import lagcharts, lightmap
from xzcore.display.frozen import Frozen

PROJECTS = 10_000
BUDGET = 600_000  # bytes of figure JSON: a page's whole view must stay under 1 MB


@pytest.fixture(scope="module")
def status() -> pd.DataFrame:
    """Projects worst first, as metrics.lights gives them, with reasons of a real length."""
    rng = np.random.default_rng(1)
    rate = np.sort(rng.uniform(0, 1.2, PROJECTS))
    light = np.where(rate < 0.57, "red", np.where(rate < 0.67, "yellow", "green"))
    return pd.DataFrame(
        {
            "id": np.arange(1, PROJECTS + 1),
            "name": [f"重点项目{i:07d}" for i in range(PROJECTS)],
            "unit": [f"责任单位{i % 40:02d}" for i in range(PROJECTS)],
            "plan_wan": rng.uniform(300, 300_000, PROJECTS),
            "completion_rate": rate,
            "lag_pp": (2 / 3 - rate) * 100,
            "light": light,
            "reason": [
                f"完成率{r * 100:.1f}%，时序进度66.7%，落后时序进度超过10个百分点" for r in rate
            ],
            "lon": rng.uniform(120.62, 120.80, PROJECTS),
            "lat": rng.uniform(30.62, 30.90, PROJECTS),
        }
    )


def _ids(fig) -> list[int]:
    return sorted(int(c[0]) for trace in fig.data if trace.customdata is not None
                  for c in trace.customdata)  # fmt: skip


def _named(fig) -> set[str]:
    return {t for trace in fig.data if trace.text is not None for t in trace.text}


def test_the_lag_scatter_has_every_project_and_names_the_worst(status):
    fig = lagcharts.lag_scatter(status, 2 / 3, rules.get_preset("xiuzhou"), "")
    assert _ids(fig) == list(status["id"])
    named = _named(fig)
    assert len(named) == lagcharts.NAMED_POINTS
    worst = status.head(lagcharts.NAMED_POINTS)
    assert all(any(f"<b>{n}</b>" in t for t in named) for n in worst["name"].head(20))
    assert len(pio.to_json(fig, validate=False)) < BUDGET
    # one legend entry a light, with all its projects counted
    legend = [t.name for t in fig.data if t.showlegend is not False]
    counts = status["light"].value_counts()
    assert legend == [
        f"{w}（{counts[k]}个）" for k, w in (("green", "绿灯"), ("yellow", "黄灯"), ("red", "红灯"))
    ]


def test_the_light_map_draws_the_worst_and_the_largest_and_stays_small(status):
    records = status.to_dict("records")
    fig = lightmap.light_map(records, [])
    worst = list(status["id"].head(lightmap.NAMED_POINTS))
    rest = status.iloc[lightmap.NAMED_POINTS :].nlargest(
        lightmap.MAX_POINTS - lightmap.NAMED_POINTS, "plan_wan"
    )
    assert _ids(fig) == sorted(worst + list(rest["id"]))
    assert len([t for t in _named(fig) if t.startswith("<b>")]) == lightmap.NAMED_POINTS
    assert len(pio.to_json(fig, validate=False)) < BUDGET
    # twice the district, the same map
    doubled = records + [r | {"id": r["id"] + PROJECTS} for r in records[lightmap.NAMED_POINTS :]]
    assert len(pio.to_json(lightmap.light_map(doubled, []), validate=False)) < BUDGET


def test_a_small_district_names_every_point(status):
    few = status.head(113)
    fig = lagcharts.lag_scatter(few, 2 / 3, rules.get_preset("xiuzhou"), "")
    assert len(_named(fig)) == 113 and len(fig.data) == 3  # one trace a light, as before


def test_a_frozen_figure_gives_the_same_dict_every_time_and_the_same_json(status):
    fig = lagcharts.lag_scatter(status.head(300), 2 / 3, rules.get_preset("xiuzhou"), "t")
    frozen = Frozen(fig)
    assert frozen.to_dict() is frozen.to_dict()  # not copied for each render
    assert json.loads(pio.to_json(frozen, validate=False)) == json.loads(pio.to_json(fig))

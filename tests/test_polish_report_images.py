"""Issue 14 item 1: the bulletin's charts drawn by the dashboard's process (which has imported
streamlit, whose template becomes plotly's default) name units and townships in full."""

from __future__ import annotations

import re

import kaleido
import plotly.io as pio
import pytest
import streamlit  # noqa: F401  the dashboard's process: streamlit's template is the default

from xzcore.period import Month
from xzcore.report import bulletin, images, plots
from xzcore.store import db

NAMED = ("02_各责任单位投资完成率", "03_各镇街道投资完成率", "04_各镇街道亮灯")
FONT_SIZE = 14  # charts.layout: one CJK character is one font size wide
TICK = re.compile(r'<g class="ytick"><text text-anchor="end" x="([\d.]+)"[^>]*>([^<]*)</text>')


@pytest.fixture(scope="module")
def drawn(demo_db):
    assert pio.templates.default == "streamlit"  # else this test proves nothing
    with db.connect(demo_db, read_only=True) as con:
        made = plots.figures(bulletin.gather(con, Month(2020, 8)))
    images.render({})  # the process's browser, as the PNGs are drawn
    return {
        name: kaleido.calc_fig_sync(made[name], opts={"format": "svg", "width": images.WIDTH})
        for name in NAMED
    }


@pytest.mark.parametrize("name", NAMED)
def test_every_name_on_the_axis_fits_left_of_the_plot(drawn, name):
    svg = drawn[name]
    ticks = TICK.findall(svg.decode() if isinstance(svg, bytes) else svg)
    assert len(ticks) >= 7  # 7 townships, more units
    for right_edge, label in ticks:
        # a label ends (text-anchor end) where the plot begins: it needs its own width there,
        # not the 10 px margin that showed only 府/处/局/道/镇
        assert float(right_edge) >= FONT_SIZE * len(label), label

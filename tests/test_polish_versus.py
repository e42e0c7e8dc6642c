"""Issue 14 item 6: against the schedule in words everywhere (超前37.2 / 落后10.6), never a signed
"滞后 −37.2" that reads as behind for a project ahead of schedule."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from xzcore.display import fmt, tables
from xzcore.figures import evaluation
from xzcore.period import Month
from xzcore.report import model, workbook
from xzcore.store import db

AUG = Month(2020, 8)


def test_the_words():
    assert fmt.pp(-37.229885) == "超前37.2个百分点"
    assert fmt.pp(10.6, short=True) == "落后10.6"
    assert fmt.pp(-37.229885, short=True) == "超前37.2"
    assert fmt.pp(0.04, short=True) == "持平" and fmt.pp(None, short=True) == "—"
    # the PDF's cells; the workbook keeps the number and words it by its format
    assert model.text("pp", -37.229885) == "超前37.2"
    assert workbook.NUMBER_FORMATS["pp"] == '"落后"0.0;"超前"0.0;"持平"'


@pytest.fixture
def august(app_db):
    with db.connect(app_db, read_only=True) as con:
        return evaluation.evaluate(con, AUG)


def test_red_flags_are_ahead_and_warnings_behind_in_words(app_db, august):
    red_flags = tables.evaluation_list(august["red_flags"])
    warnings = tables.evaluation_list(august["warnings"])
    assert red_flags[tables.VERSUS].head(2).tolist() == ["超前37.2", "超前36.5"]
    assert warnings[tables.VERSUS].head(2).tolist() == ["落后42.4", "落后37.0"]
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run()
    at.switch_page("pages/evaluation.py")
    at.query_params.update(month="2020-08")
    at.run()
    assert not at.exception, at.exception
    shown = [list(d.proto.column_order) for d in at.dataframe]
    assert len(shown) == 2 and all(
        tables.VERSUS in order and "滞后（百分点）" not in order for order in shown
    )


def test_the_ranking_words_each_unit():
    groups = [{"key": "甲", "projects": 1, "plan_wan": 100, "completed_wan": 56.1,
               "completion_rate": 0.561, "schedule_progress": 2 / 3, "lag_pp": 10.57,
               "light": "red", "lights": {"green": 0, "yellow": 0, "red": 1}}]  # fmt: skip
    assert tables.ranking(groups, "unit")[tables.VERSUS].tolist() == ["落后10.6"]

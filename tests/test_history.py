"""Month-by-month figures agree with each month's summary; light history comes from snapshots."""

import pytest

from tests.conftest import build
from xzcore.figures import history, metrics
from xzcore.period import Month

AUG = Month(2020, 8)


@pytest.fixture
def district(con):
    ids = build(
        con,
        [
            dict(name="甲项目", code="XZ-1", plan=1200, ytd={6: 500, 7: 700, 8: 900}),
            dict(name="乙项目", code="XZ-2", plan=1200, ytd={6: 600, 8: 650}, unit="区交通运输局"),
            dict(name="丙 项目", code="XZ-3", plan=600, ytd={6: 100, 7: 350, 8: 400},
                 targets={6: 300, 7: 350, 8: 400}),
        ],
    )  # fmt: skip
    for m in (6, 7, 8):
        metrics.snapshot_lights(con, Month(2020, m))
    return ids


def test_trend_matches_each_month_summary(con, district):
    for mode in ("calendar", "plan"):
        frame = history.trend(con, AUG, schedule_mode=mode).set_index("month_no")
        for m in (6, 7, 8):
            total = metrics.summary(con, Month(2020, m), schedule_mode=mode)
            assert frame.loc[m, "completed_wan"] == pytest.approx(total["completed_wan"])
            assert frame.loc[m, "schedule_progress"] == pytest.approx(total["schedule_progress"])
    # July: 乙 did not report, its June figure stands
    assert history.trend(con, AUG).set_index("month_no").loc[7, "completed_wan"] == 700 + 600 + 350


def test_trend_follows_project_filters(con, district):
    frame = history.trend(con, AUG, filters={"unit": ["区交通运输局"], "light": ["red"]})
    assert frame.plan_wan.iloc[-1] == 1200 and frame.completed_wan.iloc[-1] == 650


def test_light_changes_put_the_newly_red_first(con, district):
    changes = history.light_changes(con, AUG)
    # 乙: 650/1200 = 54.2% vs 66.7% → red in August; in July 600/1200 = 50% vs 58.3% → yellow
    assert changes.iloc[0]["name"] == "乙项目"
    assert (changes.iloc[0]["light_before"], changes.iloc[0]["light"]) == ("yellow", "red")


def test_project_record_lists_every_month_with_its_light(con, district):
    record = history.project_record(con, district["甲项目"], AUG)
    assert record["register"]["code"] == "XZ-1" and record["plan_wan"] == 1200
    months = record["months"].set_index("month_no")
    assert list(months.index) == list(range(1, 9))
    assert months.loc[8, "ytd"] == 900 and months.loc[8, "light"] == "green"
    assert history.project_record(con, 999, AUG) is None


def test_search_ignores_spaces_and_full_width(con, district):
    assert list(history.search(con, "丙项目").name) == ["丙 项目"]
    assert list(history.search(con, "ＸＺ－２").code) == ["XZ-2"]
    assert history.search(con, "  ").empty

"""The monthly cycle on every viewing surface, under AppTest: a month being collected is seen by
the office only, marked 未发布 with how much is in; leaders, visitors, the slides and the
bulletin stay on the newest published month; a published month is read from its frozen copy
(rule changes and later uploads leave it as published); a correction makes version 2, whose
bulletin says 更正 and what changed, while version 1 stays readable through the picker."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.cycle_files import (
    ADMIN,
    BANNER,
    CORRECTION,
    OCT,
    SEP,
    UNIT,
    correct,
    publish,
    report,
    staff_september,
    upload,
)
from tests.logins import log_in
from xzcore import cycle
from xzcore.figures import metrics
from xzcore.report import bulletin
from xzcore.store import db, settings

VIEWING = ["pages/overview.py", "pages/completion.py", "pages/lag.py", "pages/lightmap.py",
           "pages/evaluation.py", "pages/project.py", "pages/report.py"]  # fmt: skip
TITLE = "秀洲区重点项目建设进展情况通报（{}）"


# --- the pages -------------------------------------------------------------------------------


def open_page(page: str, username: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=90)
    at.run()
    if username:
        log_in(at, username)
    at.query_params.update(query)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def present(username: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=90)
    at.run()
    if username:
        log_in(at, username)
    at.query_params.update({"present": "1"} | query)
    at.run()
    assert not at.exception, at.exception
    return at


def slide_text(at: AppTest) -> str:
    """What the slide says, tags removed (not the login cookie's script, a new token a login)."""
    parts = [re.sub(r"<[^>]+>", " ", h.value) for h in at.html if "<script" not in h.value]
    return re.sub(r"\s+", " ", " ".join(parts))


def stamp(at: AppTest) -> str:
    return at.caption[0].value


def warnings(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def month_options(at: AppTest) -> list[str]:
    return at.selectbox(key="w_month").options


def frame(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def shown(at: AppTest) -> dict:
    """What a page shows of its figures: metrics, words and tables."""
    return {
        "metrics": [(m.label, m.value, m.delta) for m in at.metric],
        "markdown": [m.value for m in at.markdown],
        "tables": [d.value.to_dict("records") for d in at.dataframe],
        "subheaders": [s.value for s in at.subheader],
    }


# --- a month being collected -----------------------------------------------------------------


@pytest.mark.parametrize("username", [None, "leader"], ids=["visitor", "leader"])
def test_a_units_partial_upload_leaves_leaders_visitors_slides_and_bulletin_on_august(
    app_db, username
):
    staff_september(app_db)
    with db.connect(app_db) as con:
        assert cycle.months.state(con, SEP) == cycle.COLLECTING  # September is in, partly
    for page in VIEWING:
        at = open_page(page, username, project="1")
        assert "数据截至 2020年1-8月　·　已发布（第1版）" in stamp(at), page
        assert "未发布" not in warnings(at) + stamp(at), page
        assert not any("9月" in o for o in month_options(at)), page
        assert "已发布：2020-09-12 10:00（第1版）" in [c.value for c in at.sidebar.caption]
    report_page = open_page("pages/report.py", username)
    assert report_page.subheader[0].value == TITLE.format("2020年1-8月")
    # a link to September falls back to August, saying why
    at = open_page("pages/overview.py", username, month="2020-09")
    assert "2020年1-9月的数据尚未发布" in at.info[0].value
    assert "现显示已发布的最新月份：2020年1-8月" in at.info[0].value
    assert "数据截至 2020年1-8月" in stamp(at) and at.query_params["month"] == "2020-08"
    for query in ({}, {"month": "2020-09"}):
        slides = slide_text(present(username, **query))
        assert "数据截至 2020年1-8月（已发布，第1版）" in slides and "未发布" not in slides


def test_the_office_opens_the_collecting_month_marked_with_what_is_in(app_db):
    staff_september(app_db)
    at = open_page("pages/overview.py", "office")
    assert "数据截至 2020年1-8月" in stamp(at)  # the default is still the newest published
    assert month_options(at)[-1] == "2020年1-9月（收集中，未发布）"
    at.selectbox(key="w_month").set_value("2020-09").run()
    assert BANNER in warnings(at) and "未报送的项目按上月累计计列，标注未报送" in warnings(at)
    assert f"数据截至 2020年1-9月　·　{BANNER}" in stamp(at)
    assert any(BANNER in c.value for c in at.sidebar.caption)
    # the project lists say which projects have not reported
    lag = open_page("pages/lag.py", "office", month="2020-09")
    assert BANNER in warnings(lag)
    lagging = frame(lag, "本月报送")
    assert set(lagging["本月报送"]) <= {"已报送", "未报送"} and "未报送" in set(lagging["本月报送"])
    assert any(c.value.startswith("本月未报送 108 个项目") for c in lag.caption)
    with db.connect(app_db) as con:
        ids = dict(
            con.execute("SELECT unit = ?, min(id) FROM projects GROUP BY 1", [UNIT]).fetchall()
        )
    silent = open_page("pages/project.py", "office", month="2020-09", project=str(ids[False]))
    assert "该项目9月未报送" in warnings(silent)
    assert any(m.delta == "本月未报送" for m in silent.metric)
    reported = open_page("pages/project.py", "office", month="2020-09", project=str(ids[True]))
    assert "该项目9月未报送" not in warnings(reported)
    # the bulletin and the slides carry the mark too
    report_page = open_page("pages/report.py", "office", month="2020-09")
    assert report_page.subheader[0].value == TITLE.format("2020年1-9月") + (
        "（未发布：已报送 5/113 个项目，1/19 个单位）"
    )
    slides = slide_text(present("office", month="2020-09"))
    assert BANNER in slides and "未发布" in slides.replace(BANNER, "")  # tag and watermark


def test_publishing_moves_the_leaders_default_to_the_published_month(app_db):
    staff_september(app_db)
    publish(app_db)
    at = open_page("pages/overview.py", "leader")
    assert "数据截至 2020年1-9月　·　已发布（第1版）" in stamp(at)
    assert not at.warning and "已发布：2020-10-12 10:00（第1版）" in [
        c.value for c in at.sidebar.caption
    ]
    # published with 108 projects unreported: the rule stands, and the lists still say so
    lag = open_page("pages/lag.py", "leader")
    assert "未报送" in set(frame(lag, "本月报送")["本月报送"])
    slides = slide_text(present("leader"))
    assert "数据截至 2020年1-9月（已发布，第1版）" in slides and "未发布" not in slides


# --- a published month stays put -------------------------------------------------------------


def test_a_published_months_lights_stay_when_the_admin_switches_the_preset(app_db):
    staff_september(app_db)
    publish(app_db)
    pages = ("pages/overview.py", "pages/lag.py", "pages/report.py")
    before = {page: shown(open_page(page, "leader")) for page in pages}
    with db.connect(app_db) as con:
        published = metrics.summary(cycle.months.reader(con, SEP), SEP)["lights"]
        settings.write(con, "preset", "wuhan", actor=ADMIN)
        live = metrics.summary(con, SEP)["lights"]
    assert live != published  # the rule does move the live figures: the freeze keeps these
    after = {page: open_page(page, "leader") for page in pages}
    for page in pages:
        assert shown(after[page]) == before[page], page
        assert "亮灯规则：秀洲区" in stamp(after[page]), page
    lights = after["pages/overview.py"].markdown[0].value
    assert f"绿灯 {published['green']} 个" in lights and f"红灯 {published['red']} 个" in lights


def test_a_correction_makes_version_2_marked_更正_while_version_1_stays_readable(app_db):
    staff_september(app_db)
    publish(app_db)
    v1 = {p: shown(open_page(p, "leader")) for p in ("pages/overview.py", "pages/report.py")}
    name, ytd = correct(app_db)
    with db.connect(app_db) as con:
        version = cycle.months.latest(con, SEP)
    assert version.version == 2 and version.changes["count"] == 1

    at = open_page("pages/report.py", "leader")
    assert at.subheader[0].value == TITLE.format("2020年1-9月") + "（更正版，第2版）"
    words = at.info[0].value.replace("\\", "")  # shown through tables.literal
    assert "更正说明" in words and f"更正理由：{CORRECTION}" in words
    assert f"{name}（{UNIT}）累计完成投资{ytd:,.2f}万元→{ytd + 5000:,.2f}万元" in words
    assert at.selectbox(key="w_version").options == ["第2版（最新）", "第1版"]
    captions = [c.value for c in at.sidebar.caption]
    assert any(c.startswith("已发布：") and c.endswith("（第2版，更正）") for c in captions)
    # version 1, through the picker and through a link
    at.selectbox(key="w_version").set_value("1").run()
    assert at.query_params["version"] == "1"
    assert shown(at) == v1["pages/report.py"]
    linked = open_page("pages/overview.py", "leader", version="1")
    assert shown(linked) == v1["pages/overview.py"]
    assert shown(open_page("pages/overview.py", "leader")) != v1["pages/overview.py"]


def bulletin_dump(model) -> dict:
    return {
        "heading": model.heading,
        "stamp": model.stamp,
        "paragraphs": model.paragraphs,
        "words": (model.unit_words, model.township_words),
        "tables": {k: (t.title, t.note, t.rows) for k, t in model.tables.items()},
    }


def test_a_published_months_pages_are_identical_after_later_uploads_and_settings(app_db):
    staff_september(app_db)
    publish(app_db)
    pages = ("pages/overview.py", "pages/lag.py", "pages/evaluation.py", "pages/report.py",
             "pages/completion.py")  # fmt: skip

    def everything() -> dict:
        with db.connect(app_db) as con:
            model = bulletin.gather(cycle.months.reader(con, SEP), SEP)
        return {
            "pages": {page: shown(open_page(page, "leader", month="2020-09")) for page in pages},
            "slides": slide_text(present("leader", month="2020-09")),
            "bulletin": bulletin_dump(model),
        }

    before = everything()
    with db.connect(app_db) as con:
        live = metrics.summary(con, SEP)
        data = report(con, OCT, add=120)
    # later: the whole of October by the office, and the admin moves to the plan schedule
    assert upload(app_db, data, "office", reason="十月月报，已核实") is not None
    with db.connect(app_db) as con:
        settings.write(con, "schedule_mode", "plan", actor=ADMIN)
        assert metrics.summary(con, SEP)["lag_pp"] != live["lag_pp"]  # live figures moved
        assert cycle.months.state(con, OCT) == cycle.COLLECTING
    assert everything() == before

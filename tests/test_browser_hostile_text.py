"""Hostile text from uploads, in a real browser: on every page, the presentation's slides, the
upload history and the audit log, each text is there as text, and nothing of it became an
element (no script ran, no <img>, no link, no bold, no colour, no formula typeset).

The data comes through the real upload path (tests/hostile.py); tests/test_hostile_text.py
checks the same data in xzcore, the figures, the files and the pages' Markdown under AppTest.
"""

from __future__ import annotations

import contextlib
import csv
import io
import urllib.parse
from pathlib import Path

import pytest

from tests import hostile
from tests.browser import screenshot, settled, streamlit_server
from tests.hostile import HYPERLINK, IMG, MARKDOWN, SCRIPT, TAGS
from tests.logins import log_in_browser
from xzcore.display import charts
from xzcore.figures import metrics
from xzcore.store import db

# one worker runs the module, in order, on its one server (make test: --dist loadgroup)
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("hostile_server")]

WAIT = 60000
# Every element the hostile text could have become, found by what it would hold or point to.
PROBE = """(texts) => {
    const all = document.body.textContent;
    const link = (a) => a.getAttribute("href")
        || a.getAttributeNS("http://www.w3.org/1999/xlink", "href") || "";
    const made = ["粗体", "斜体", "粗", "链接", "链", "红字", "点我"];
    return {
        missing: texts.filter((t) => !all.includes(t)),
        xss: window.__xss === undefined ? null : String(window.__xss),
        images: document.querySelectorAll('img[src="x"]').length,
        scripts: [...document.querySelectorAll("script")]
            .filter((s) => s.textContent.includes("alert(1)")).length,
        links: [...document.querySelectorAll("a")].map(link).filter((h) => h.includes("//x")),
        marked: [...document.querySelectorAll("strong, em, b, i, span, tspan")]
            .filter((e) => made.includes(e.textContent.trim()))
            .map((e) => e.outerHTML.slice(0, 120)),
        formulas: document.querySelectorAll(".katex, math").length,
    };
}"""
# The strings of every Plotly figure on the page, as Streamlit sent them (hovers included).
FIGURES = """() => [...document.querySelectorAll(".js-plotly-plot")].map((gd) => {
    const found = [], seen = new Set();
    const walk = (v) => {
        if (typeof v === "string") { found.push(v); return; }
        if (!v || typeof v !== "object" || seen.has(v)) return;
        seen.add(v);
        for (const k of Object.keys(v)) if (!k.startsWith("_")) walk(v[k]);
    };
    walk(gd.data); walk(gd.layout);
    return found;
})"""
STAMP = '[data-testid="stMain"] [data-testid="stCaptionContainer"]'  # under the title
RAW_MARKUP = (SCRIPT, IMG, TAGS, "<b>粗</b>", '<a href="http://x">')


@pytest.fixture(scope="module")
def loaded(demo_db):
    return hostile.load(demo_db)


@pytest.fixture(scope="module")
def order(demo_db, loaded):
    """The units as the completion chart stacks them, bottom (lowest rate) first."""
    with db.connect(demo_db, read_only=True) as con:
        units = metrics.summary(con, hostile.AUG, by=["unit"])["groups"]["unit"]
    rated = sorted((g for g in units if g["completion_rate"] is not None),
                   key=lambda g: g["completion_rate"])  # fmt: skip
    return [g["key"] for g in rated]


@pytest.fixture(scope="module")
def server(demo_db, loaded, order):
    with streamlit_server(demo_db) as url:
        yield url


@contextlib.contextmanager
def _no_dialog(page):
    """Any alert() or confirm() the payload might open is dismissed and fails the test."""
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    yield page
    page.remove_listener("dialog", dismiss)
    assert dialogs == []


@pytest.fixture
def page(tabs):
    """A visitor's tab at 1920×1080 (kept open between tests: tests/browser.Tabs)."""
    with _no_dialog(tabs.screen()) as page:
        yield page


@pytest.fixture
def own_page(browser):
    """A tab in a context of its own, for a test that signs in."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    with _no_dialog(context.new_page()) as page:
        yield page
    context.close()


def _open(page, url: str) -> None:
    page.goto(url)
    settled(page, timeout=WAIT)
    # a data grid writes its visible cells into a hidden table a moment after it is drawn
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
            .filter((d) => d.offsetParent !== null).every((d) => d.querySelector("td"))""",
        timeout=WAIT,
    )


def assert_literal(page, *texts: str) -> None:
    """Each text is on the page as text, and nothing hostile became an element."""
    found = page.evaluate(PROBE, list(texts))
    assert found == {
        "missing": [],
        "xss": None,
        "images": 0,
        "scripts": 0,
        "links": [],
        "marked": [],
        "formulas": 0,
    }
    for strings in page.evaluate(FIGURES):
        assert not [s for s in strings if any(raw in s for raw in RAW_MARKUP)]


def _wait_for_stamp(page, text: str) -> None:
    """Until the rerun a choice started has drawn the stamp with it (the run may start late)."""
    page.wait_for_function(
        "([css, text]) => document.querySelector(css)?.textContent.includes(text)",
        arg=[STAMP, text],
        timeout=WAIT,
    )
    settled(page, timeout=WAIT)


def _query(**params) -> str:
    return urllib.parse.urlencode({"month": "2020-08", **params})


def test_overview_charts_a_hover_and_a_click_show_units_and_townships_as_typed(server, page, order):
    _open(page, f"{server}/?{_query()}")
    assert_literal(page, IMG, TAGS, MARKDOWN, HYPERLINK)  # tick labels of the two group charts
    # hover the bar of the renamed project's unit (the lowest rate: the bottom bar)
    bar = page.locator(".js-plotly-plot").nth(2).locator(".barlayer .point").nth(order.index(IMG))
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    hover = page.locator(".hoverlayer .hovertext").first
    hover.wait_for(timeout=10000)
    assert IMG in hover.text_content()
    assert_literal(page, IMG)
    screenshot(page, "hostile_overview_1920x1080")
    # a click filters to the unit: the escaped label goes back to the unit's own name
    bar.click(force=True)
    _wait_for_stamp(page, f"责任单位 {IMG}")
    assert "unit=" in page.url
    assert_literal(page, f"筛选：责任单位 {IMG}")


def test_a_crafted_link_and_a_chosen_filter_show_in_the_stamp_as_typed(server, page, loaded):
    renamed = loaded.renamed
    _open(page, f"{server}/?{_query(township=renamed['township'], tier=renamed['tier'])}")
    stamp = page.locator(STAMP).first.inner_text()
    assert f"镇街道 {MARKDOWN}" in stamp and f"项目级别 {renamed['tier']}" in stamp
    assert_literal(page, MARKDOWN)
    # the filter's options are text too (the filters are open: the link chose some); choose
    # the hostile unit by typing part of it
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="责任单位")
    box.locator("input").fill("onerror")
    option = page.get_by_role("option").first
    assert option.inner_text() == IMG
    option.click()
    _wait_for_stamp(page, f"责任单位 {IMG}")
    assert "unit=" in page.url
    assert_literal(page, IMG, MARKDOWN)
    screenshot(page, "hostile_filters_1920x1080", top=True)


GROUPS = {  # the completion page's tabs, and what each group's hostile names are
    "项目级别": ("tier",),
    "行业类别": ("category",),
    "镇街道": ("township",),
    "责任单位": ("unit",),
    "联系区领导": ("leader",),
}


def test_completion_tabs_chart_and_rank_every_group_as_typed(server, page, loaded):
    _open(page, f"{server}/completion?{_query()}")
    for tab, fields in GROUPS.items():
        page.get_by_role("tab", name=tab).click()
        settled(page, timeout=WAIT)
        texts = [p[f] for p in (loaded.renamed, loaded.added) for f in fields]
        page.wait_for_function(
            "(texts) => texts.every((t) => document.body.textContent.includes(t))",
            arg=texts,
            timeout=WAIT,
        )
        assert_literal(page, *texts)


def test_lag_page_lists_and_charts_show_names_as_typed(server, page, loaded):
    renamed, added = loaded.renamed, loaded.added
    _open(page, f"{server}/lag?{_query()}")
    # the lagging list (the renamed project is the worst), the changes (the new one turned
    # green), the month-by-month heatmap's row labels
    assert_literal(page, renamed["name"], added["name"], renamed["unit"])
    hovers = [s for strings in page.evaluate(FIGURES) for s in strings]
    assert any(s.startswith(f"<b>{charts.escape(renamed['name'])}</b>") for s in hovers)
    screenshot(page, "hostile_lag_1920x1080")


def test_light_map_and_township_ranking_show_names_as_typed(server, page, loaded):
    _open(page, f"{server}/lightmap?{_query()}")
    assert_literal(page, MARKDOWN, HYPERLINK)
    hovers = [s for strings in page.evaluate(FIGURES) for s in strings]
    assert any(charts.escape(loaded.added["name"]) in s for s in hovers)


def _download(page, key: str) -> list[list[str]]:
    with page.expect_download(timeout=WAIT) as info:
        page.locator(f".st-key-{key} button").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_red_flags_and_warnings_show_names_and_hand_out_neutralised_csv(server, page, loaded):
    renamed, added = loaded.renamed, loaded.added
    _open(page, f"{server}/evaluation?{_query()}")
    assert_literal(page, renamed["name"], added["name"])
    rows = _download(page, "csv_red_flags")
    header, *body = rows
    row = next(dict(zip(header, r, strict=True)) for r in body if added["unit"] in r)
    assert row["项目名称"] == "'" + added["name"]  # -2+3… would be a formula
    assert row["项目代码"] == "'" + added["code"]
    assert row["镇街道"] == "'" + added["township"]
    assert row["责任单位"] == added["unit"]
    rows = _download(page, "csv_warnings")
    assert ["'" + renamed["name"], renamed["unit"], renamed["township"]] == [
        rows[1][rows[0].index(c)] for c in ("项目名称", "责任单位", "镇街道")
    ]


@pytest.mark.parametrize("which", ["renamed", "added"])
def test_project_detail_shows_every_field_and_note_as_typed(server, page, loaded, which):
    project = getattr(loaded, which)
    _open(page, f"{server}/project?{_query(project=project['id'])}")
    texts = [v for k, v in project.items() if k != "id"]
    assert_literal(page, *texts)
    screenshot(page, f"hostile_project_{which}_1920x1080", top=True)


def test_project_search_finds_and_lists_a_hostile_name_as_typed(server, page, loaded):
    _open(page, f"{server}/project?{_query()}")
    page.get_by_label("搜索项目").fill("点我")
    page.get_by_label("搜索项目").press("Enter")
    settled(page, timeout=WAIT)
    page.locator('[data-testid="stDataFrame"] td').first.wait_for(state="attached", timeout=WAIT)
    assert_literal(page, loaded.renamed["name"])


def test_monthly_report_words_and_tables_show_names_as_typed(server, page, loaded):
    _open(page, f"{server}/report?{_query()}")
    assert_literal(page, IMG)  # the lowest rate of the units, named in the words
    for tab, text in (("各责任单位投资完成情况", TAGS), ("红旗项目", loaded.added["name"]),
                      ("预警（蜗牛）项目", loaded.renamed["name"])):  # fmt: skip
        page.get_by_role("tab", name=tab).click()
        settled(page, timeout=WAIT)
        page.wait_for_function(
            "(t) => document.body.textContent.includes(t)", arg=text, timeout=WAIT
        )
        assert_literal(page, text)


SLIDES = {  # slide number → what it shows of the hostile data
    2: ("unit",),  # the units' chart
    3: ("unit", "name"),  # the units and projects furthest behind: the renamed project
    4: ("township",),  # the townships' table beside the map
    5: ("added name", "added unit", "added township"),  # red flags
    6: ("name", "unit"),  # warnings
    7: ("added name", "added unit"),  # this month's changes
}


@pytest.mark.parametrize("number", list(SLIDES))
def test_presentation_slides_show_names_as_typed(server, page, loaded, number):
    _open(page, f"{server}/?{_query(present=1, slide=number)}")
    texts = []
    for field in SLIDES[number]:
        project = loaded.added if field.startswith("added ") else loaded.renamed
        texts.append(project[field.removeprefix("added ")])
    assert_literal(page, *texts)
    screenshot(page, f"hostile_slide_{number}_1920x1080")


def test_upload_history_audit_log_and_sidebar_show_hostile_text_as_typed(server, own_page, loaded):
    page = own_page
    log_in_browser(page, server, hostile.USERNAME, hostile.PASSWORD)
    _open(page, f"{server}/upload")
    label = f"{hostile.DISPLAY_NAME}（管理员）"
    # the sidebar, the uploader, the history's file names, the undo choice
    assert_literal(page, hostile.DISPLAY_NAME, label, hostile.REGISTER_FILE, hostile.REPORT_FILE)
    screenshot(page, "hostile_upload_1920x1080", top=True)
    _open(page, f"{server}/audit")
    # 内容 is written in words (issue 14 item 9): the file name as typed, not JSON-escaped
    assert_literal(page, hostile.DISPLAY_NAME, hostile.USERNAME, f"文件：{hostile.REGISTER_FILE}")
    screenshot(page, "hostile_audit_1920x1080", top=True)

"""Hostile text from uploads comes out as typed: in every Plotly figure (escaped for Plotly's
HTML-like labels), in the pages' Markdown (escaped by tables.literal), in the PDF, the Excel
workbook, the chart images and the CSV downloads. The browser's DOM: test_browser_hostile_text.

The data arrives the way an office sends it (tests/hostile.py: ingest.prepare and commit).
"""

from __future__ import annotations

import csv
import html.parser
import io
import json
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from tests import hostile
from tests.browser import ROOT
from tests.hostile import AUG, FORMULAS, HYPERLINK, IMG, MARKDOWN, SCRIPT, TAGS
from tests.logins import PASSWORDS, log_in
from tests.markdown import shown
from xzcore import auth, ingest
from xzcore.auth import PermissionDenied
from xzcore.display import charts, csvout, lagcharts, lightmap, tables
from xzcore.display.present_style import projector
from xzcore.figures import evaluation, history, metrics
from xzcore.report import bulletin, images, pdf, plots, workbook
from xzcore.store import db

# What Plotly would draw as markup (<b>, <br>, <a href>) or drop (<script>, <img>).
RAW_MARKUP = (SCRIPT, IMG, TAGS, "<b>粗</b>", '<a href="http://x">')


@pytest.fixture(scope="module")
def loaded(demo_db):
    return hostile.load(demo_db)


@pytest.fixture(scope="module")
def core(demo_db, loaded):
    """What xzcore makes of the hostile data; the connection is closed before any page opens."""
    with db.connect(demo_db, read_only=True) as con:
        return {
            "projects": con.execute(
                f"SELECT id, {', '.join(hostile.FIELDS)} FROM projects WHERE id IN (?, ?)",
                [loaded.renamed["id"], loaded.added["id"]],
            ).fetchall(),
            "notes": con.execute(
                "SELECT project_id, image_progress, problems FROM progress"
                " WHERE year = 2020 AND month = 8 AND project_id IN (?, ?) ORDER BY 1",
                [loaded.renamed["id"], loaded.added["id"]],
            ).fetchall(),
            "summary": metrics.summary(con, AUG, by=["unit", "township"]),
            "status": metrics.project_status(con, AUG),
            "lights": metrics.lights(con, AUG),
            "history": history.light_history(con, AUG),
            "changes": history.light_changes(con, AUG),
            "evaluation": evaluation.evaluate(con, AUG),
            "record": history.project_record(con, loaded.renamed["id"], AUG),
            "bulletin": bulletin.gather(con, AUG),
        }


@pytest.fixture
def app(demo_db, loaded, tmp_path, monkeypatch):
    """A copy of the hostile database for the pages under AppTest (they open it read-write)."""
    import streamlit as st

    path = tmp_path / "hostile.duckdb"
    shutil.copy(demo_db, path)
    monkeypatch.setenv("XZ_DB", str(path))
    st.cache_data.clear()
    return path


def test_the_upload_stores_every_text_field_as_typed(loaded, core):
    renamed, added = loaded.renamed, loaded.added
    assert sorted(core["projects"]) == sorted(
        tuple(p[f] for f in ("id", *hostile.FIELDS)) for p in (renamed, added)
    )
    notes = sorted((p["id"], p["image_progress"], p["problems"]) for p in (renamed, added))
    assert core["notes"] == notes
    # the lists the pages show hold both: the renamed one is the worst warning, the new one a
    # red flag that turned green this month (July's correction reported it red)
    result = core["evaluation"]
    assert result["warnings"]["id"].iloc[0] == renamed["id"]
    assert added["id"] in set(result["red_flags"]["id"])
    assert added["id"] in set(core["changes"]["id"])


# --- Plotly ---------------------------------------------------------------------------------


def strings(fig) -> list[str]:
    """Every string of a figure as it goes to the browser (its JSON)."""
    found = []

    def walk(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(json.loads(fig.to_json()))
    return found


def assert_escaped(fig, *texts: str) -> None:
    """The texts are in the figure escaped, and nothing of the hostile markup is raw."""
    found = strings(fig)
    assert not [s for s in found if any(raw in s for raw in RAW_MARKUP)]
    assert not [s for s in found if "&quot;" in s]  # Plotly would show it as "&quot;"
    for text in texts:
        assert any(charts.escape(text) in s for s in found), text


def test_escape_keeps_quotes_and_unescape_gives_back_the_text():
    for text in (SCRIPT, IMG, TAGS, MARKDOWN, "AT&T", "&lt;已转义&gt;"):
        escaped = charts.escape(text)
        assert "<" not in escaped and ">" not in escaped
        assert charts.unescape(escaped) == text
    assert charts.escape(IMG) == '&lt;img src=x onerror="window.__xss=1"&gt;'


def test_group_bars_are_labelled_escaped_and_a_click_gives_the_name_back(loaded, core):
    groups = core["summary"]["groups"]
    units = charts.completion_by_group(groups["unit"], core["summary"]["schedule_progress"], "")
    assert_escaped(units, IMG, TAGS)
    clicked = [charts.unescape(label) for label in units.data[0].y]  # what filter_to reads
    assert set(clicked) == {g["key"] for g in groups["unit"]}
    towns = charts.lights_by_group(groups["township"], "")
    assert_escaped(towns, MARKDOWN, HYPERLINK)
    for bars in towns.data:
        assert {charts.unescape(y) for y in bars.y} == {g["key"] for g in groups["township"]}


def test_lag_scatter_and_heatmap_escape_names_units_and_reasons(loaded, core):
    renamed = loaded.renamed
    scatter = lagcharts.lag_scatter(core["status"], 2 / 3, core["bulletin"].preset, "")
    assert_escaped(scatter, renamed["name"], renamed["unit"], loaded.added["name"])
    hover = next(t for trace in scatter.data for t in trace.text if SCRIPT[1:7] in t)
    # the chart's own bold name and line breaks stay markup; the quotes stay quotes
    assert hover.startswith(f"<b>{charts.escape(renamed['name'])}</b><br>")
    assert 'onerror="window.__xss=1"' in hover
    heatmap = lagcharts.light_heatmap(core["history"], "")
    assert_escaped(heatmap, renamed["name"], loaded.added["name"])


def test_light_map_hovers_escape_townships_and_projects(loaded, core, monkeypatch):
    projects = core["lights"].merge(core["status"][["id", "lon", "lat"]], on="id")
    added = projects[projects["id"] == loaded.added["id"]]
    assert added[["lon", "lat"]].notna().all(axis=None)  # on the map
    # a township the geo file knows, named as hostile as any: its hover is escaped too
    monkeypatch.setattr(lightmap, "township_points", lambda: {TAGS: (120.7, 30.75)})
    town = {"key": TAGS, "light": "red", "projects": 1, "completion_rate": 0.5, "lag_pp": 16.7}
    fig = lightmap.light_map(projects.to_dict("records"), [town])
    assert_escaped(fig, TAGS, loaded.added["name"], loaded.added["unit"])
    assert fig.data[1].text[0].startswith(charts.escape(TAGS))


def test_every_chart_of_the_pages_slides_and_bulletin_escapes_uploaded_text(loaded, core):
    drawn = plots.figures(core["bulletin"])  # trend, units, townships, lights, scatter, map
    drawn["heatmap"] = lagcharts.light_heatmap(core["history"], "")
    record = core["record"]
    drawn["project"] = charts.project_months(record["months"], "2020年逐月完成投资与月度计划")
    for name in list(drawn):
        drawn[f"{name} (projector)"] = projector(drawn[name])
    for name, fig in drawn.items():
        found = strings(fig)
        raw = [s for s in found if any(r in s for r in RAW_MARKUP) or "&quot;" in s]
        assert not raw, (name, raw)
    texts = {s for fig in drawn.values() for s in strings(fig)}
    for project in (loaded.renamed, loaded.added):  # what the charts name: project, unit, place
        for field in ("name", "unit", "township"):
            assert any(charts.escape(project[field]) in s for s in texts), project[field]


# --- PDF, Excel, chart images, CSV ----------------------------------------------------------


@pytest.fixture(scope="module")
def pngs(core):
    return images.render(plots.figures(core["bulletin"]))


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


class _Images(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs).get("src", ""))


def test_the_chart_images_render(pngs):
    assert list(pngs) == list(plots.NAMES)
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000 for png in pngs.values())


def test_the_pdf_prints_the_uploaded_text_as_typed_and_renders_no_image_of_it(
    loaded, core, pngs, tmp_path
):
    b = core["bulletin"]
    page = pdf.document(b, pngs)
    parser = _Images()
    parser.feed(page)
    # the charts' PNGs are the only images: the hostile <img> is text
    assert len(parser.sources) == len(pngs)
    assert all(src.startswith("data:image/png;base64,") for src in parser.sources)
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(pdf.pdf_bytes(b, pngs))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    printed = _squeezed(text)  # lines wrap inside table cells
    # names, units and townships are what the bulletin prints of a project
    for project in (loaded.renamed, loaded.added):
        for field in ("name", "unit", "township"):
            assert _squeezed(project[field]) in printed, (field, project[field])


def test_the_workbook_stores_the_uploaded_text_as_text_and_holds_no_formula(loaded, core):
    data = workbook.xlsx_bytes(core["bulletin"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            xml = archive.read(name).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml, name
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value: c.data_type for c in cells if isinstance(c.value, str)}
    for project in (loaded.renamed, loaded.added):
        for field in ("name", "unit", "township"):
            assert texts.get(project[field]) == "s", (field, project[field])


def _csv_cells(table) -> list[str]:
    text = csvout.csv_bytes(table).decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_every_csv_download_neutralises_formulas_and_keeps_markup_as_typed(core):
    groups = core["summary"]["groups"]
    result = core["evaluation"]
    downloads = {
        "units": tables.ranking(groups["unit"], "unit"),
        "townships": tables.ranking(groups["township"], "township"),
        "red_flags": tables.evaluation_list(result["red_flags"]),
        "warnings": tables.evaluation_list(result["warnings"]),
        "lagging": tables.projects(lagcharts.lagging(core["lights"])),
        "changes": lagcharts.changes_table(core["changes"]),
    }
    cells = {name: _csv_cells(table) for name, table in downloads.items()}
    for name, found in cells.items():
        live = [c for c in found if c.startswith(csvout.FORMULA_LEADS) and not _number(c)]
        assert not live, (name, live)
    everything = {c for found in cells.values() for c in found}
    listed = ("code", "name", "unit", "township")  # the renamed project kept its code
    for uploaded in (hostile.RENAMED, hostile.ADDED):
        for text in (uploaded[f] for f in listed if f in uploaded):
            assert ("'" + text if text.startswith(FORMULAS) else text) in everything, text


# --- Markdown on the pages (AppTest) --------------------------------------------------------


def assert_literal(source: str, text: str) -> None:
    """The page wrote text through tables.literal: it shows as typed, no Markdown of it raw."""
    assert text in shown(source)
    assert tables.literal(text) in source


def _open(path: str, username: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run()
    if username:  # the demo accounts have their own passwords, the hostile ones share one
        demo = username in PASSWORDS
        log_in(at, username, None if demo else hostile.PASSWORD)
    at.switch_page(path)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_crafted_link_shows_its_filters_as_typed_in_the_stamp(app, loaded):
    renamed = loaded.renamed
    at = _open(
        "pages/completion.py",
        month="2020-08",
        township=renamed["township"],
        unit=renamed["unit"],
        tier=renamed["tier"],
    )
    stamp = at.caption[0].value
    assert "筛选：" in stamp
    for field in ("township", "unit", "tier"):
        assert_literal(stamp, renamed[field])
    assert "[链接](http://x)" not in stamp


def test_the_project_page_shows_every_field_and_note_as_typed(app, loaded):
    renamed = loaded.renamed
    at = _open("pages/project.py", month="2020-08", project=str(renamed["id"]))
    assert shown(at.subheader[0].value) == renamed["name"]
    assert tables.literal(renamed["name"]) == at.subheader[0].value
    for field in ("code", "tier", "unit", "township"):
        assert_literal(at.caption[1].value, renamed[field])
    register = {shown(k): v for k, v in at.table[0].value.to_numpy().tolist()}
    labels = {"name": "项目名称", "tier": "项目级别", "category": "行业类别",
              "township": "镇街道", "unit": "责任单位", "leader": "联系区领导",
              "owner": "项目业主"}  # fmt: skip
    for field, label in labels.items():
        assert register[label] == tables.literal(renamed[field])
    notes = at.table[1].value.iloc[-1]  # August
    assert notes["形象进度"] == tables.literal(renamed["image_progress"])
    assert notes["存在问题"] == tables.literal(renamed["problems"])


def test_the_report_page_words_name_units_as_typed(app, core):
    b = core["bulletin"]
    at = _open("pages/report.py", month="2020-08")
    words = [m.value for m in at.markdown]
    assert tables.literal(b.unit_words) in words
    worst = b.summary["groups"]["unit"][-1]["key"]  # the renamed project's unit, 24% done
    assert worst == IMG
    assert_literal(next(w for w in words if "完成率最高" in w), IMG)


def test_the_sidebar_and_the_uploader_show_a_hostile_display_name_as_typed(app, loaded):
    at = _open("pages/upload.py", username=hostile.USERNAME)
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert_literal(sidebar, hostile.DISPLAY_NAME)
    uploader = next(c.value for c in at.caption if c.value.startswith("上传人"))
    assert_literal(uploader, loaded.user.label)


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_the_upload_preview_and_the_commit_message_show_file_text_as_typed(app, loaded):
    column = f"备注{MARKDOWN}"  # a header the upload does not use
    # read as 2020-09; the preview says where the month came from (a column's cells lose spaces)
    month = "2020年9月" + MARKDOWN.replace(" ", "")
    report = hostile.csv_file(
        None,
        ["项目代码", "项目名称", "累计完成投资（万元）", "报告月份", column],
        [[loaded.added["code"], loaded.added["name"], 1100, month, "x"]],
    )
    name = f"{MARKDOWN.replace('/', '')}{IMG}.csv"
    at = _upload(_open("pages/upload.py", username=hostile.USERNAME), name, report)
    summary = next(m.value for m in at.markdown if "**报告期**" in m.value)
    assert_literal(summary, month)
    assert_literal(next(c.value for c in at.caption if c.value.startswith("未使用的列")), column)
    _button(at, "确认导入").click().run()
    assert not at.exception, at.exception
    assert_literal(at.success[0].value, name)


def test_a_workbook_sheet_is_named_as_typed(app, loaded):
    sheet = "__粗体__ _斜体_ <b>表<b> `码`"  # as Excel allows: ≤ 31, none of []:*?/\
    book = openpyxl.Workbook()
    book.active.title = sheet
    rows = [["2020年1-9月进展情况"], ["项目代码", "项目名称", "累计完成投资（万元）"],
            [loaded.added["code"], loaded.added["name"], 1100]]  # fmt: skip
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at = _open("pages/upload.py", username=hostile.USERNAME)
    at.file_uploader[0].set_value(("9月.xlsx", out.getvalue(), kind)).run()
    assert not at.exception, at.exception
    assert_literal(next(m.value for m in at.markdown if "**报告期**" in m.value), sheet)


def test_an_unreadable_file_is_named_as_typed(app):
    name = f"{IMG}{MARKDOWN.replace('/', '')}.csv"
    at = _upload(_open("pages/upload.py", username=hostile.USERNAME), name, b"\x00\x01\x02")
    assert_literal(at.error[0].value, name)


def test_a_refused_commit_names_the_rows_as_typed(app, loaded, monkeypatch):
    refusal = f"以下行不属于您负责的单位，未写入：第3行 {loaded.added['name']}（责任单位：{TAGS}）"

    def refuse(*args, **kwargs):
        raise PermissionDenied(refusal)

    monkeypatch.setattr(ingest, "commit", refuse)
    report = hostile.csv_file(
        "2020年1-9月进展情况",
        ["项目代码", "项目名称", "累计完成投资（万元）"],
        [[loaded.added["code"], loaded.added["name"], 1100]],
    )
    at = _upload(_open("pages/upload.py", username=hostile.USERNAME), "9月.csv", report)
    _button(at, "确认导入").click().run()
    assert_literal(at.error[0].value, refusal)


def test_a_unit_staff_member_sees_units_and_a_refused_undo_as_typed(app, loaded):
    renamed = loaded.renamed
    with db.connect(app) as con:
        staff = auth.add_user(
            con, "hstaff", hostile.PASSWORD, "staff", units=(IMG,), actor=auth.SYSTEM
        )
        september = hostile.csv_file(
            "2020年1-9月进展情况", ["项目代码", "项目名称", "累计完成投资（万元）"],
            [[renamed["code"], renamed["name"], 9999]],
        )  # fmt: skip
        ingest.commit(con, ingest.prepare(con, september, "9月.csv", user=staff), staff)
        # then the district moves the project to another unit
        plan = con.execute(
            "SELECT plan FROM annual_plans WHERE project_id = ? AND year = 2020", [renamed["id"]]
        ).fetchone()[0]
        moved = hostile.csv_file(
            "2020年计划表",
            ["项目代码", "项目名称", "责任单位", "年度计划投资"],
            [[renamed["code"], renamed["name"], TAGS, plan]],
        )
        preview = ingest.prepare(con, moved, "调整.csv", user=loaded.user)
        ingest.commit(con, preview, loaded.user)
    at = _open("pages/upload.py", username="hstaff")
    assert_literal(next(c.value for c in at.caption if c.value.startswith("上传人")), IMG)
    assert_literal(" ".join(c.value for c in at.sidebar.caption), IMG)
    next(c for c in at.checkbox if c.label.startswith("确认撤销")).check().run()
    _button(at, "撤销该批次").click().run()
    assert not at.exception, at.exception
    refusal = at.error[0].value  # it names the project and the unit it is in now
    assert "不能撤销" in refusal
    assert_literal(refusal, renamed["name"])
    assert_literal(refusal, TAGS)


def test_admin_messages_name_accounts_as_typed(app):
    name = "__新账号__"  # a valid user name: \w takes the underscore
    at = _open("pages/users.py", username=hostile.USERNAME)
    for attempt in range(2):  # added, then refused as taken
        fields = {t.label: t for t in at.text_input}
        fields["用户名"].input(name)
        fields["初始密码（至少 8 位）"].input(hostile.PASSWORD)
        next(s for s in at.selectbox if s.label == "角色").set_value("office")
        _button(at, "新增").click().run()
        assert not at.exception, at.exception
        message = (at.error if attempt else at.success)[0].value
        assert_literal(message, name)

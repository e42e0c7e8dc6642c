"""The upload page in the monthly cycle, under AppTest: a published month refused to a unit's
staff (nothing written), corrected by the office with a reason (version 2, an undo version 3),
an identical re-upload that writes nothing, and the templates per unit, every unit's sheet in
one workbook uploading back as one batch."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from tests import cycle_files
from tests.browser import ROOT
from tests.logins import log_in
from tests.markdown import shown
from tests.upload_files import dump
from xzcore import cycle
from xzcore.ingest import templates
from xzcore.period import Month
from xzcore.store import db

AUG, SEP = Month(2020, 8), Month(2020, 9)
UNIT = "王江泾镇人民政府"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Bookkeeping that opening the page and previewing a file always writes: the session's idle
# expiry moves on, and the preview is audited as 上传预览.
SESSION = ("audit_log", "sessions")


def report(path, month: Month, unit: str = UNIT, add: int = 100) -> bytes:
    return cycle_files.report(path, month, unit, add)


def open_page(username: str) -> AppTest:
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=90).run(), username)
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    at.file_uploader[0].set_value((name, data, mime)).run()
    assert not at.exception
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def kept(path) -> dict[str, str]:
    with db.connect(path) as con:
        return {k: v for k, v in dump(con).items() if k not in SESSION}


def test_a_units_upload_into_a_published_month_is_refused_and_writes_nothing(app_db):
    data = report(app_db, AUG)
    at = open_page("staff")
    before = kept(app_db)
    upload(at, "8月月报.csv", data)
    assert shown(at.error[0].value) == (
        "2020-08 已于 2020-09-12 10:00 发布，不能再上传修改；如需更正，请联系区重点办"
    )
    assert "确认导入" not in labels(at) and "按元换算（÷10000）" not in labels(at)
    assert not [t for t in at.text_input if "理由" in t.label]
    assert kept(app_db) == before  # every table of every schema, byte for byte
    with db.connect(app_db) as con:
        actions = con.execute(
            "SELECT action FROM audit_log WHERE actor = 'staff' ORDER BY \"at\", id"
        ).fetchall()
    assert actions[-1] == ("upload",)  # the preview only: no commit, nothing denied


def test_the_offices_correction_needs_a_reason_and_makes_version_2_and_an_undo_version_3(app_db):
    data = report(app_db, AUG, add=50)
    at = upload(open_page("office"), "8月月报（更正）.csv", data)
    assert "导入后生成第2版，原版本仍可查看" in at.warning[0].value
    assert button(at, "确认导入").disabled
    assert "请填写更正理由" in " ".join(c.value for c in at.caption)
    reason = next(t for t in at.text_input if t.label == "更正理由")
    reason.input("  ").run()
    assert button(at, "确认导入").disabled
    reason.input("王江泾镇来函更正8月累计").run()
    button(at, "确认导入").click().run()
    assert not at.exception
    assert "2020-08 已更正为第2版" in shown(at.success[0].value)
    with db.connect(app_db) as con:
        second = cycle.months.latest(con, AUG)
        assert (second.version, second.reason, second.published_by) == (
            2, "王江泾镇来函更正8月累计", "office",
        )  # fmt: skip
        assert second.changes["count"] == 5
        assert cycle.months.versions(con, AUG)[0].version == 1  # still there to read
        batch = con.execute("SELECT max(id) FROM batches").fetchone()[0]

    # undoing it is a correction too: a reason, then version 3
    choice = next(s for s in at.selectbox if s.label == "选择要撤销的批次")
    assert choice.value == batch
    assert "撤销后生成第3版" in at.warning[-1].value
    next(c for c in at.checkbox if c.label.startswith("确认撤销")).check().run()
    assert button(at, "撤销该批次").disabled  # the reason is still missing
    next(t for t in at.text_input if t.label == "更正理由（撤销）").input(
        "来函有误，恢复原数"
    ).run()
    button(at, "撤销该批次").click().run()
    assert f"已撤销批次#{batch}" in shown(at.success[0].value)
    assert "2020-08 已更正为第3版" in shown(at.success[0].value)
    with db.connect(app_db) as con:
        third = cycle.months.latest(con, AUG)
    assert (third.version, third.reason) == (3, "来函有误，恢复原数")


def test_an_identical_re_upload_says_nothing_changed(app_db):
    data = report(app_db, SEP)
    at = upload(open_page("office"), "9月月报.csv", data)
    button(at, "确认导入").click().run()
    assert "已导入：批次#10" in shown(at.success[0].value)
    upload(at, "9月月报（再次）.csv", data)
    button(at, "确认导入").click().run()
    assert "没有变化" in shown(at.success[0].value) and "未新建批次" in shown(at.success[0].value)
    with db.connect(app_db) as con:
        assert con.execute("SELECT max(id) FROM batches").fetchone()[0] == 10


def test_staff_get_their_units_template_and_the_office_chooses_a_unit_or_all(app_db):
    staff = open_page("staff")
    assert [b.label for b in staff.get("download_button")] == [
        "项目计划表模板",
        "月度进展月报模板（2020-09）",
    ]
    assert not [s for s in staff.selectbox if s.label == "月报模板的单位"]
    assert "2020年9月月报截止 10月5日" in " ".join(c.value for c in staff.caption)
    office = open_page("office")
    unit = next(s for s in office.selectbox if s.label == "月报模板的单位")
    assert unit.options[0] == "全部单位（每个单位一个工作表）" and len(unit.options) == 20
    unit.set_value(UNIT).run()
    assert not office.exception
    assert "月度进展月报模板（2020-09）" in [b.label for b in office.get("download_button")]


def test_every_units_sheet_uploads_back_on_the_page_as_one_batch(app_db):
    with db.connect(app_db) as con:
        book = load_workbook(io.BytesIO(templates.monthly(con, SEP)))
    # 1-based, after 项目代码, 项目名称 and the 参考 columns
    amount = (
        3 + len(templates.REFERENCE_HEADER) + templates.MONTH_HEADER.index("本月完成投资（万元）")
    )
    for sheet in book.worksheets:
        for i in range(4, sheet.max_row + 1):
            sheet.cell(i, amount).value = 25
    out = io.BytesIO()
    book.save(out)
    at = upload(open_page("office"), templates.file_name(SEP), out.getvalue(), XLSX)
    assert {m.label: m.value for m in at.metric}["新增"] == "113"
    assert {m.label: m.value for m in at.metric}["错误"] == "0"
    button(at, "确认导入").click().run()
    assert "已导入：批次#10" in shown(at.success[0].value) and "113 行" in shown(
        at.success[0].value
    )
    with db.connect(app_db) as con:
        assert con.execute("SELECT max(id) FROM batches").fetchone()[0] == 10
        assert set(cycle.status.units(con, SEP)["state"]) == {"已报送"}

"""The 待协调问题清单 for a meeting as files: PDF and Excel, for all, a leader or a unit, from
the library and the command line; hostile text in every field printed as typed (HTML escaped in
the PDF, text and never a formula in the workbook)."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zipfile

import openpyxl
import pytest

from tests.conftest import build
from tests.hostile import AT, HYPERLINK, IMG, MARKDOWN, MINUS, PLUS, SCRIPT, TAGS
from xzcore import auth
from xzcore.cli import main as cli
from xzcore.problems import ledger, store
from xzcore.report import pdf, problems_meeting, workbook
from xzcore.store import db

OFFICE = auth.User("office", "区重点办", "office")
T0 = dt.datetime(2020, 9, 1, 9)
TODAY = dt.date(2020, 9, 25)
UNIT = "王江泾镇人民政府"
# every field a person types, hostile; the project's name and unit come from an upload
FIELDS = {
    "description": HYPERLINK + SCRIPT,
    "request": MARKDOWN + PLUS,
    "lead_unit": IMG,
    "support_units": [AT],
    "leader": MINUS,
}
PROJECT = TAGS + "=1+1"


def _problems(con) -> dict[str, int]:
    pid = build(con, [{"name": PROJECT, "plan": 100, "unit": UNIT, "leader": "常务副区长"}])
    ids = {}
    ids["hostile"] = store.create(
        con, OFFICE, category="用地", source="现场办公", project_id=pid[PROJECT],
        description=FIELDS["description"], request=FIELDS["request"],
        support_units=FIELDS["support_units"], leader=FIELDS["leader"], at=T0,
    )  # fmt: skip
    store.assign(con, OFFICE, ids["hostile"], lead_unit=FIELDS["lead_unit"],
                 due_on=dt.date(2020, 9, 10), at=T0)  # fmt: skip
    ids["plain"] = store.create(con, OFFICE, description="缺电", category="其他",
                                source="单位反映", at=T0)  # fmt: skip
    store.assign(con, OFFICE, ids["plain"], lead_unit=UNIT, due_on=dt.date(2020, 9, 28), at=T0)
    ids["closed"] = store.create(con, OFFICE, description="已解决", category="资金",
                                 source="单位反映", at=T0)  # fmt: skip
    store.assign(con, OFFICE, ids["closed"], lead_unit=UNIT, due_on=dt.date(2020, 9, 8), at=T0)
    store.request_close(con, auth.User("s", "填报员", "staff", (UNIT,)), ids["closed"], "好",
                        at=T0 + dt.timedelta(days=2))  # fmt: skip
    store.close(con, OFFICE, ids["closed"], "实质性办结", at=T0 + dt.timedelta(days=3))
    return ids


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "agenda.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_pdf_prints_every_field_as_typed(con, tmp_path):
    ids = _problems(con)
    table = problems_meeting.agenda(con, TODAY)
    assert [r[0] for r in table.rows] == [ids["hostile"], ids["plain"]]  # red first, no closed
    data = problems_meeting.agenda_file(table, "pdf")
    assert data.startswith(b"%PDF")
    printed = _squeezed(_pdf_text(data, tmp_path))
    marks = ("■红色督办", "逾期15天（时限2020-09-10）", "◆蓝色督办")
    for value in (PROJECT, FIELDS["description"], FIELDS["request"], FIELDS["lead_unit"],
                  FIELDS["leader"], *FIELDS["support_units"], *marks):  # fmt: skip
        assert _squeezed(value) in printed, value
    html = pdf.table_html(table, True)
    assert 'style="color:#8a1c14;background:#fde2e1">■ 红色督办</td>' in html
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html


def test_the_workbook_stores_every_field_as_text_and_holds_no_formula(con):
    ids = _problems(con)
    data = problems_meeting.agenda_file(problems_meeting.agenda(con, TODAY), "xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in (n for n in archive.namelist() if n.startswith("xl/worksheets/")):
            xml = archive.read(name).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml, name
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book["待协调问题清单"]
    assert ws.cell(row=1, column=1).value == "待协调问题清单（全部，截至2020年09月25日）"
    header = [c.value for c in ws[workbook.HEADER_ROW]]
    first = {h: ws.cell(row=workbook.HEADER_ROW + 1, column=j + 1) for j, h in enumerate(header)}
    assert first["编号"].value == ids["hostile"] and first["督办"].value == "■ 红色督办"
    assert first["督办"].fill.fgColor.rgb == "00FDE2E1"  # the colour and its word
    for column, value in (("项目", PROJECT), ("问题描述", FIELDS["description"]),
                          ("需协调事项", FIELDS["request"]), ("主办单位", FIELDS["lead_unit"]),
                          ("协办单位", AT), ("协调区领导", FIELDS["leader"])):  # fmt: skip
        cell = first[column]
        assert (cell.value, cell.data_type) == (value, "s"), column
        # a text Excel would run as a formula keeps its leading apostrophe when edited
        assert cell.quotePrefix == value.startswith(("=", "+", "-", "@")), column
    assert ws.freeze_panes == f"A{workbook.HEADER_ROW + 1}"


def test_a_leaders_or_a_units_list(con):
    ids = _problems(con)
    assert problems_meeting.scopes(ledger.ledger(con, TODAY)) == {
        "leader": [MINUS],
        "unit": sorted([IMG, AT, UNIT]),
    }
    mine = problems_meeting.agenda(con, TODAY, leader=MINUS)
    assert [r[0] for r in mine.rows] == [ids["hostile"]] and MINUS in mine.title
    helping = problems_meeting.agenda(con, TODAY, unit=AT)  # 协办 counts
    assert [r[0] for r in helping.rows] == [ids["hostile"]]
    slashed = problems_meeting.agenda(con, TODAY, unit="a/b")
    assert problems_meeting.file_name(slashed, "pdf").endswith("（a／b，截至2020年09月25日）.pdf")
    nobody = problems_meeting.agenda(con, TODAY, unit="洪合镇人民政府")
    assert nobody.rows == () and "没有未办结的问题" in pdf.table_html(nobody, True)


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "p.duckdb"
    with db.connect(path, create=True) as con:
        _problems(con)
    return path


def test_the_command_line_writes_the_list(path, tmp_path, capsys):
    target = tmp_path / "清单.xlsx"
    code = cli.main(["--db", str(path), "problems", "agenda", "--format", "xlsx",
                     "--unit", UNIT, "-o", str(target)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and out.startswith(f"已生成待协调问题清单（{UNIT}）：1 个未办结问题")
    ws = openpyxl.load_workbook(target)["待协调问题清单"]
    assert ws.cell(row=workbook.HEADER_ROW + 1, column=6).value == "缺电"
    target = tmp_path / "清单.pdf"
    assert cli.main(["--db", str(path), "problems", "agenda", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF")  # pdf by default
    code = cli.main(["--db", str(path), "problems", "agenda", "--leader", "没有的人",
                     "-o", str(target)])  # fmt: skip
    assert code == 1 and "没有未办结问题" in capsys.readouterr().out


def test_the_bulletins_overdue_list_prints_typed_text_as_typed(con, tmp_path):
    from xzcore.period import Month

    _problems(con)
    table = problems_meeting.overdue_table(con, Month(2020, 9))
    # overdue at the month's end, the longest first; the one closed in time is not
    assert [r[3] for r in table.rows] == [FIELDS["description"], "缺电"]
    html = pdf.table_html(table, True)
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    printed = _squeezed(_pdf_text(pdf.tables_pdf("通报", "", (table,), landscape=True), tmp_path))
    for value in (PROJECT, FIELDS["description"], FIELDS["lead_unit"], FIELDS["leader"]):
        assert _squeezed(value) in printed, value
    ws = openpyxl.load_workbook(io.BytesIO(workbook.tables_xlsx("通报", "", (table,))))[
        "逾期未办结问题"
    ]
    row = [c for c in ws[workbook.HEADER_ROW + 1]]
    assert [(c.value, c.data_type) for c in row[1:2] + row[3:6]] == [
        (PROJECT, "s"), (FIELDS["description"], "s"), (FIELDS["lead_unit"], "s"),
        (FIELDS["leader"], "s")]  # fmt: skip
    assert row[3].quotePrefix and row[5].quotePrefix  # =HYPERLINK…, -2+3 stay text when edited

"""Templates (xzcore/ingest/templates.py): per unit, for the month being collected, with the
unit's own projects and reference figures that the upload never reads; filled in, they upload back
as exactly what was typed, one unit or every unit's sheet in one batch."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from xzcore import cycle, ingest
from xzcore.auth import User
from xzcore.ingest import headers, templates
from xzcore.period import Month

SEP = Month(2020, 9)
UNIT = "王江泾镇人民政府"
STAFF = User("staff", "王江泾镇填报员", "staff", (UNIT,))
OFFICE = User("office", "区重点办", "office")
HEADER = ["项目代码", "项目名称", *templates.REFERENCE_HEADER, "本月完成投资（万元）",
          "年初至报告期累计完成投资（万元）", "项目阶段", "实际开工日期", "形象进度",
          "存在问题"]  # fmt: skip
AMOUNT, STAGE = HEADER.index("本月完成投资（万元）") + 1, HEADER.index("项目阶段") + 1


@pytest.fixture
def con(demo_con):
    return demo_con


def rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def expected(con, unit: str) -> list[list]:
    """The unit's projects with plan, September's cumulative target and August's cumulative."""
    found = con.execute(
        """SELECT p.code, p.name, a.plan, t.target_cum, g.ytd FROM projects p
           JOIN annual_plans a ON a.project_id = p.id AND a.year = 2020
           LEFT JOIN monthly_targets t ON t.project_id = p.id AND t.year = 2020 AND t.month = 9
           LEFT JOIN progress g ON g.project_id = p.id AND g.year = 2020 AND g.month = 8
           WHERE p.unit = ? ORDER BY p.id""",
        [unit],
    ).fetchall()
    return [[c, n, *(None if v is None else float(v) for v in f)] for c, n, *f in found]


def fill(data: bytes, amounts) -> bytes:
    """Type this month's 本月完成投资 and 项目阶段 into every project row of every sheet."""
    book = load_workbook(io.BytesIO(data))
    numbers = iter(amounts)
    for sheet in book.worksheets:
        for i in range(4, sheet.max_row + 1):
            sheet.cell(i, AMOUNT).value = next(numbers)
            sheet.cell(i, STAGE).value = "在建"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_units_template_holds_its_projects_and_reference_figures_and_nothing_else(con):
    assert templates.due_month(con, dt.date(2025, 1, 1)) == SEP
    book = load_workbook(io.BytesIO(templates.monthly(con, SEP, [UNIT])))
    assert book.sheetnames == [UNIT]
    table = rows(book.active)
    assert table[0][0] == f"秀洲区重点项目2020年1-9月进展情况（{UNIT}）"
    assert table[1][0] == "单位：万元" and "导入时不读取" in table[1][1]
    assert table[2] == HEADER
    body = [[float(v) if isinstance(v, int | float) else v for v in r] for r in table[3:]]
    assert [r[:5] for r in body] == expected(con, UNIT)
    assert all(r[5:] == [None] * 6 for r in body)  # this month's cells are empty
    others = {
        r[0] for r in con.execute("SELECT name FROM projects WHERE unit <> ?", [UNIT]).fetchall()
    }
    assert not others & {c for r in table for c in r}


def test_reference_columns_are_never_read_as_figures():
    for header in templates.REFERENCE_HEADER:
        assert headers.match(header, "万元") is None, header


def test_uploaded_unchanged_a_template_imports_nothing(con):
    data = templates.monthly(con, SEP, [UNIT])
    preview = ingest.prepare(con, data, templates.file_name(SEP, UNIT), user=STAFF)
    assert preview.parsed.period == SEP and preview.parsed.kind == "progress"
    assert preview.errors == []
    assert [(p.level, p.row) for p in preview.problems] == [("info", row) for row in range(4, 9)]
    assert preview.rows == []
    assert ingest.commit(con, preview, STAFF) is None  # nothing to import: no batch


def test_a_filled_template_imports_exactly_what_was_typed(con):
    before = {r[1]: r[4] for r in expected(con, UNIT)}
    typed = [Decimal("120.5"), Decimal(0), Decimal(300), Decimal("45.25"), Decimal(7)]
    data = fill(templates.monthly(con, SEP, [UNIT]), [float(t) for t in typed])
    preview = ingest.prepare(con, data, templates.file_name(SEP, UNIT), user=STAFF)
    assert preview.problems == [], [str(p) for p in preview.problems]
    assert preview.parsed.kind == "progress"  # the plan column for reference is no plan
    assert preview.parsed.ignored == templates.REFERENCE_HEADER
    assert preview.counts() == {"new": 5, "changed": 0, "unchanged": 0}
    batch = ingest.commit(con, preview, STAFF)
    stored = con.execute(
        """SELECT p.name, g.amount, g.ytd, g.stage FROM progress g JOIN projects p
           ON p.id = g.project_id WHERE g.year = 2020 AND g.month = 9 ORDER BY p.id"""
    ).fetchall()
    assert [(n, a, s) for n, a, _, s in stored] == [
        (r[1], t, "在建") for r, t in zip(expected(con, UNIT), typed, strict=True)
    ]
    assert all(ytd == Decimal(str(before[n])) + a for n, a, ytd, _ in stored)
    assert con.execute("SELECT count(*) FROM batches WHERE id = ?", [batch]).fetchone()[0] == 1
    # the plans and targets the template showed for reference are untouched
    touched = con.execute(
        "SELECT DISTINCT tbl FROM batch_touches WHERE batch_id = ?", [batch]
    ).fetchall()
    assert touched == [("progress",)]


def test_every_units_sheet_in_one_workbook_uploads_back_as_one_batch(con):
    units = templates.units(con, 2020)
    data = templates.monthly(con, SEP)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == units and len(units) == 19
    projects = sum(len(rows(s)) - 3 for s in book.worksheets)
    assert projects == 113
    filled = fill(data, [10 + i for i in range(projects)])
    preview = ingest.prepare(con, filled, templates.file_name(SEP), user=OFFICE)
    assert preview.problems == [], [str(p) for p in preview.problems][:5]
    assert len(preview.parsed.parts) == 19 and preview.counts()["new"] == 113
    before = con.execute("SELECT max(id) FROM batches").fetchone()[0]
    batch = ingest.commit(con, preview, OFFICE)
    assert batch == before + 1
    assert con.execute("SELECT max(id) FROM batches").fetchone()[0] == batch
    status = cycle.status.units(con, SEP)
    assert set(status["state"]) == {"已报送"}


def test_the_template_follows_the_month_being_collected(con):
    assert templates.due_month(con, dt.date(2020, 9, 20)) == SEP
    assert templates.due_month(con, dt.date(2020, 8, 20)) is None  # September has not begun
    ingest.commit(con, ingest.prepare(con, fill(templates.monthly(con, SEP), [1] * 113),
                                      "9月.xlsx", user=OFFICE), OFFICE)  # fmt: skip
    assert templates.due_month(con, dt.date(2020, 10, 20)) == SEP  # collected, not published
    cycle.publish.publish(con, OFFICE, SEP)
    assert templates.due_month(con, dt.date(2020, 10, 20)) == Month(2020, 10)
    october = load_workbook(io.BytesIO(templates.template(con, "progress", dt.date(2020, 10, 20))))
    first = rows(october.worksheets[0])
    assert first[0][0].startswith("秀洲区重点项目2020年1-10月进展情况")
    assert first[2][4] == "参考：上月末累计完成（万元）"
    assert all(r[4] is not None for r in first[3:])  # September's cumulative, as reported


def test_the_register_template_is_a_header_without_rows(con):
    data = templates.register(con, dt.date(2025, 1, 1))
    sheet = load_workbook(io.BytesIO(data)).active
    table = [[c for c in r if c is not None] for r in rows(sheet)]
    assert table[0] == ["2020年秀洲区重点项目计划表"] and table[1][0] == "单位：万元"
    assert "2020年计划投资（万元）" in table[2] and len(table) == 3
    preview = ingest.prepare(con, data, templates.FILE_NAMES["register"])
    assert [p.message for p in preview.errors] == ["表头下面没有任何项目行"]


def test_sheet_names_are_what_excel_accepts():
    taken: set[str] = set()
    assert templates.sheet_name("区发改局", taken) == "区发改局"
    assert templates.sheet_name("区发改局", taken) == "区发改局_2"
    assert templates.sheet_name("a/b:c*d?[e]", taken) == "a_b_c_d__e_"
    long = "很" * 40
    assert templates.sheet_name(long, taken) == "很" * 31
    assert templates.sheet_name(long, taken) == "很" * 29 + "_2"

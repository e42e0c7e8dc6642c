"""The monthly bulletin's section 节点 (issue 18): the milestones' paragraph over the nodes
overdue at the month's end, the longest first — PDF section 八, the workbook's sheet 超期节点;
names and notes typed by people printed as typed (HTML escaped in the PDF, text and never a
formula in the workbook)."""

from __future__ import annotations

import io
import re
import subprocess

import openpyxl

from tests.hostile import AT, HYPERLINK, MARKDOWN, MINUS, SCRIPT, TAGS
from xzcore.nodes import states
from xzcore.period import Month
from xzcore.report import bulletin, pdf, workbook

AUG = Month(2020, 8)


def test_the_bulletin_has_the_overdue_nodes_under_their_paragraph(demo_con):
    made = bulletin.gather(demo_con, AUG)
    table = made.tables["超期节点"]
    late = states.overdue(demo_con, AUG)
    assert table.title == "超期节点（截至2020年08月31日）"
    assert table.note.startswith("截至8月末，签约项目113个，已开工113个，已竣工6个，已投产4个；")
    assert "超期未完成节点6个（其中本月到期3个，最长超期118天），下月到期节点10个。" in table.note
    assert [(r[0], r[1], r[2], r[4]) for r in table.rows] == [
        (i, p, n, int(d))
        for i, (p, n, d) in enumerate(zip(late.project, late.name, late.days, strict=True), 1)
    ]
    assert [r[4] for r in table.rows] == sorted((r[4] for r in table.rows), reverse=True)
    assert sum(r[5] == "是" for r in table.rows) == 3  # fell due in August
    html = pdf.document(made, {})
    assert html.index("七、逾期未办结问题") < html.index("八、节点（倒排工期）")
    assert html.index("八、节点（倒排工期）") < html.index("永诚年产19亿只集成电路封装测试项目")
    book = openpyxl.load_workbook(io.BytesIO(workbook.xlsx_bytes(made)))
    assert book.sheetnames[-1] == "超期节点"
    sheet = book["超期节点"]
    assert sheet.cell(row=2, column=1).value == table.note
    assert sheet.cell(row=workbook.HEADER_ROW + 1, column=5).value == 118


def test_no_overdue_node_says_so(demo_con):
    demo_con.execute("UPDATE project_nodes SET actual = DATE '2020-01-01'")
    table = bulletin.gather(demo_con, AUG).tables["超期节点"]
    assert table.rows == () and "没有超期未完成的节点" in table.note
    assert "月末没有超期未完成的节点。" in pdf.table_html(table, True)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_names_and_notes_print_as_typed(demo_con, tmp_path):
    node, note, unit = HYPERLINK + SCRIPT, MINUS + MARKDOWN, AT + TAGS
    first = states.overdue(demo_con, AUG).iloc[0]
    demo_con.execute(
        "UPDATE project_nodes SET name = ?, note = ?, unit = ? WHERE project_id = ? AND name = ?",
        [node, note, unit, int(first.project_id), first["name"]],
    )
    project = first.project  # August is published: its projects are read from the frozen copy
    made = bulletin.gather(demo_con, AUG)
    table = made.tables["超期节点"]
    assert table.rows[0][1:3] == (project, node) and table.rows[0][6:] == (unit, note)
    html = pdf.table_html(table, True)
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(pdf.pdf_bytes(made, {}))  # no charts: the tables are what is checked
    printed = _squeezed(
        subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],  # in the order set
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    for value in (project, node, note, unit):
        assert _squeezed(value) in printed, value
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.xlsx_bytes(made)))["超期节点"]
    row = list(sheet[workbook.HEADER_ROW + 1])
    assert [(c.value, c.data_type) for c in (row[1], row[2], row[6], row[7])] == [
        (project, "s"), (node, "s"), (unit, "s"), (note, "s")]  # fmt: skip
    assert row[2].quotePrefix and row[6].quotePrefix and row[7].quotePrefix  # = @ -


def test_the_lights_table_says_the_node_rule_when_it_is_on(con):
    import datetime as dt

    from tests.conftest import build
    from xzcore import auth
    from xzcore.store import settings

    ids = build(con, [dict(name="甲", plan=12, ytd={7: 7, 8: 8}, build_type="新建")])
    con.execute(
        "INSERT INTO project_nodes VALUES (?, 1, '施工许可', NULL, ?, NULL, NULL, NULL, NULL,"
        " 't', ?)",
        [ids["甲"], dt.date(2020, 7, 31), dt.datetime(2020, 1, 1)],
    )
    off = bulletin.gather(con, AUG).tables["黄红灯项目"]
    assert off.rows == () and "节点" not in off.note  # the rule off: as before
    admin = auth.User("admin", "管理员", "admin")
    settings.set_thresholds(con, "xiuzhou", {"node_rule": True}, actor=admin)
    on = bulletin.gather(con, AUG).tables["黄红灯项目"]
    assert "；节点：节点超期1天及以上亮黄灯，超过30天亮红灯。" in on.note
    assert [(r[1], r[-2], r[-1]) for r in on.rows] == [
        ("甲", "red", "节点“施工许可”超期31天 → 红灯")
    ]

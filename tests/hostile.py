"""Uploads whose every text field is hostile: script and HTML tags, Markdown, spreadsheet formulas.

load() puts them into a copy of the demo database the way an office does, through
ingest.prepare and ingest.commit: a register that renames every text field of the worst
warning project and adds a project (a red flag, in a new unit and township), then a monthly
report with hostile notes for both, uploaded by an admin whose display name is hostile too.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from xzcore import auth, ingest
from xzcore.figures import evaluation
from xzcore.period import Month
from xzcore.store import db

AUG = Month(2020, 8)

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="window.__xss=1">'
MARKDOWN = "**粗体** _斜体_ [链接](http://x) :red[红字] $x^2$"
TAGS = '<b>粗</b><br><a href="http://x">链</a>'  # what Plotly draws in a label
HYPERLINK = '=HYPERLINK("http://x","点我")'
PLUS, MINUS, AT = "+1+1", "-2+3", "@SUM(A1)"
FORMULAS = (HYPERLINK, PLUS, MINUS, AT)  # what a spreadsheet would run

# The renamed project keeps its code (that is how the register finds it).
RENAMED = {
    "name": HYPERLINK + SCRIPT,
    "tier": PLUS,
    "category": TAGS,
    "township": MARKDOWN,
    "unit": IMG,
    "leader": MINUS,
    "owner": AT,
}
ADDED = {
    "code": AT,
    "name": MINUS + MARKDOWN,
    "tier": SCRIPT,
    "category": IMG,
    "township": HYPERLINK,
    "unit": TAGS,
    "leader": PLUS,
    "owner": HYPERLINK,
}
# 形象进度 and 存在问题 of August
RENAMED_NOTES = {"image_progress": SCRIPT, "problems": MARKDOWN}
ADDED_NOTES = {"image_progress": IMG, "problems": PLUS}
ADDED_PLAN = 1000  # 万元, all done by August: 33.3 points ahead, a red flag
ADDED_PLACE = (120.75, 30.80)  # inside Xiuzhou, so it is on the map

# An admin whose display name is hostile (accounts come from an admin or single sign-on); the
# user name may hold Markdown too: \w takes the underscore.
USERNAME = "__粗体__"
PASSWORD = "hostile-pass-1"
DISPLAY_NAME = MARKDOWN + IMG
# Slashes are the only characters a file name cannot have.
REGISTER_FILE = '**粗体** :red[红字] <img src=x onerror="window.__xss=1">2020年计划表.csv'
REPORT_FILE = "2020年1-8月月报 _斜体_ $x^2$.csv"
JULY_FILE = "2020年1-7月补报.csv"

REGISTER_HEADER = ["项目代码", "项目名称", "项目级别", "行业类别", "所属镇街道", "责任单位",
                   "联系区领导", "项目业主", "2020年计划投资（万元）", "计划开工日期", "经度",
                   "纬度"]  # fmt: skip
REPORT_HEADER = ["项目代码", "项目名称", "年初至报告期累计完成投资（万元）", "项目阶段",
                 "实际开工日期", "形象进度", "存在问题"]  # fmt: skip
FIELDS = ("code", "name", "tier", "category", "township", "unit", "leader", "owner")


@dataclass(frozen=True)
class Loaded:
    renamed: dict  # every text field of the renamed project, code and id included
    added: dict
    user: auth.User


def csv_file(title: str | None, header: list[str], rows: list[list]) -> bytes:
    """A CSV as an office saves it (UTF-8 with BOM), quoted where a cell needs it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([*([[title]] if title else []), header, *rows])
    return out.getvalue().encode("utf-8-sig")


def load(path: Path) -> Loaded:
    """Upload the hostile register and monthly report into the database at path."""
    with db.connect(path) as con:
        user = auth.add_user(
            con, USERNAME, PASSWORD, "admin", display_name=DISPLAY_NAME, actor=auth.SYSTEM
        )
        worst = evaluation.evaluate(con, AUG)["warnings"].iloc[0]
        pid, code = int(worst["id"]), worst["code"]
        plan, ytd = con.execute(
            "SELECT a.plan, g.ytd FROM annual_plans a JOIN progress g"
            " ON g.project_id = a.project_id AND g.year = a.year AND g.month = 8"
            " WHERE a.project_id = ? AND a.year = 2020",
            [pid],
        ).fetchone()
        renamed = [RENAMED[f] for f in FIELDS[1:]]
        added = [ADDED[f] for f in FIELDS[1:]]
        register = csv_file(
            "2020年重点项目计划表",
            REGISTER_HEADER,
            [
                [code, *renamed, plan, "", "", ""],
                [AT, *added, ADDED_PLAN, "2020-03-01", *ADDED_PLACE],
            ],
        )
        report = csv_file(
            "秀洲区重点项目2020年1-8月进展情况",
            REPORT_HEADER,
            [
                [code, RENAMED["name"], ytd, "在建", "", *RENAMED_NOTES.values()],
                [AT, ADDED["name"], ADDED_PLAN, "在建", "2020-03-01", *ADDED_NOTES.values()],
            ],
        )
        # July as the new project stood then (nothing done yet: red), so that August, where
        # it is done, shows it turned green; both months are published in the demo, so each
        # report is a correction (version 2) with its reason
        july = csv_file(
            "秀洲区重点项目2020年1-7月进展情况",
            REPORT_HEADER,
            [[AT, ADDED["name"], "0", "在建", "2020-03-01", *ADDED_NOTES.values()]],
        )
        for data, name in ((register, REGISTER_FILE), (july, JULY_FILE), (report, REPORT_FILE)):
            preview = ingest.prepare(con, data, name, user=user)
            assert not preview.problems, [str(p) for p in preview.problems]
            ingest.commit(con, preview, user, reason="更正：补报并更名")
        added_id = con.execute("SELECT id FROM projects WHERE code = ?", [AT]).fetchone()[0]
    return Loaded(
        renamed={"id": pid, "code": code, **RENAMED, **RENAMED_NOTES},
        added={"id": added_id, **ADDED, **ADDED_NOTES},
        user=user,
    )

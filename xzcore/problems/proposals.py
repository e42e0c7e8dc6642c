"""Problems proposed from the monthly reports: a 存在问题 text that is new or changed this month
is offered to the office, prefilled, to open as a problem or to dismiss. Nothing is created
here: a person opens it (store.create with origin) or dismisses it, and either ends the offer.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xzcore.display import tables
from xzcore.errors import BadArgument
from xzcore.ingest.values import fold
from xzcore.period import Month
from xzcore.problems.store import OFFICE
from xzcore.store import audit, db
from xzcore.store.roles import User, deny

DISMISS = "忽略问题线索"
# The type a text most likely is, first match wins; the office corrects it before opening.
_KEYWORDS = (
    ("征迁", ("征迁", "拆迁", "征收", "政策处理", "腾退")),
    ("用地", ("用地", "土地", "供地", "地块")),
    ("资金", ("资金", "融资", "拨付", "款")),
    ("审批手续", ("审批", "手续", "许可", "备案", "环评", "能评", "立项", "批复")),
    (
        "要素保障（水电气路）",
        ("水电", "供电", "用电", "缺电", "停电", "供水", "缺水", "燃气", "道路", "管线", "电力"),
    ),
    ("施工环境", ("施工", "扰民", "阻工", "天气", "雨")),
)


def months(con) -> list[Month]:
    """The months with a monthly report in the live tables, newest first."""
    rows = con.execute(
        "SELECT DISTINCT year, month FROM progress ORDER BY year DESC, month DESC"
    ).fetchall()
    return [Month(int(y), int(m)) for y, m in rows]


def guess_category(text: str) -> str:
    return next((cat for cat, words in _KEYWORDS if any(w in text for w in words)), "其他")


def offered(con, month: Month) -> pd.DataFrame:
    """The month's 存在问题 texts that are new or changed since last month, not yet opened as a
    problem from this month's report nor dismissed: project_id, project, code, unit, leader,
    text, before (last month's text, None when it had none), category (a guess)."""
    earlier = month.shift(-1)
    table = con.execute(
        """SELECT p.id AS project_id, p.name AS project, p.code, p.unit, p.leader,
                  g.problems AS text, b.problems AS before
           FROM progress g JOIN projects p ON p.id = g.project_id
           LEFT JOIN progress b ON b.project_id = g.project_id AND b.year = $py
                AND b.month = $pm
           WHERE g.year = $year AND g.month = $month AND trim(coalesce(g.problems, '')) <> ''
             AND NOT EXISTS (SELECT 1 FROM problems q WHERE q.project_id = g.project_id
                             AND q.origin_year = $year AND q.origin_month = $month)
             AND NOT EXISTS (SELECT 1 FROM problem_dismissals d WHERE d.project_id = g.project_id
                             AND d.year = $year AND d.month = $month AND d.text = g.problems)
           ORDER BY p.unit, p.id""",
        {"year": month.year, "month": month.month, "py": earlier.year, "pm": earlier.month},
    ).df()
    # None, not NaN, for a project without 责任单位 or 联系区领导 and for a month without text
    # before: prefill hands unit and leader to the form, which showed (and saved) "nan"
    table = tables.nulls_as_none(table)
    # the same words retyped with other spaces or full-width characters are not new
    changed = [fold(t) != fold(b) for t, b in zip(table["text"], table["before"], strict=True)]
    table = table[changed].reset_index(drop=True)
    table["category"] = table["text"].map(guess_category)
    return table


def prefill(row: dict, month: Month) -> dict:
    """What the create form starts with for an offered text (keywords of store.create)."""
    return {
        "project_id": int(row["project_id"]),
        "description": row["text"],
        "category": row["category"],
        "source": "月报",
        "lead_unit": row["unit"],
        "leader": row["leader"],
        "raised_on": month.end,
        "origin": (month.year, month.month),
    }


def dismiss(con, user: User, project_id: int, month: Month, *, at=None) -> None:
    """Not a problem to chase (office and admin): the text is not offered again unless the
    report changes it."""
    if not isinstance(user, User) or user.role not in OFFICE:
        who = user.label if isinstance(user, User) else "未登录"
        raise deny(con, user, DISMISS, f"{who}无权{DISMISS}", {"project_id": project_id})
    row = con.execute(
        "SELECT problems FROM progress WHERE project_id = ? AND year = ? AND month = ?",
        [int(project_id), month.year, month.month],
    ).fetchone()
    if row is None or not (row[0] or "").strip():
        raise BadArgument(f"项目 {project_id} 在 {month} 的月报中没有填写存在问题")
    at = at or dt.datetime.now().replace(microsecond=0)
    with db.transaction(con):
        con.execute(
            "INSERT OR REPLACE INTO problem_dismissals VALUES (?, ?, ?, ?, ?, ?)",
            [int(project_id), month.year, month.month, row[0], user.username, at],
        )
        audit.record(con, user, "problem_dismiss",
                     {"month": str(month), "项目编号": int(project_id), "存在问题": row[0]},
                     at=at)  # fmt: skip

"""Reports for the monthly cycle's tests, uploaded the way a unit's staff and the office do
(xzcore.ingest with the demo accounts), and publishing as the office does."""

from __future__ import annotations

import datetime as dt

from xzcore import auth, cycle, ingest
from xzcore.period import Month
from xzcore.store import db

AUG, SEP, OCT = Month(2020, 8), Month(2020, 9), Month(2020, 10)
UNIT = "王江泾镇人民政府"  # the demo staff's unit: 5 of the 113 projects
BANNER = "未发布（已报送 5/113 个项目，1/19 个单位）"  # after that unit's September
OFFICE = auth.User("office", "区重点办（示例）", "office")
ADMIN = auth.User("admin", "管理员（示例）", "admin")
PASSWORDS = {"staff": "xz-demo-staff", "office": "xz-demo-office"}


def report(con, month: Month, unit: str | None = None, add: int = 100, again=False) -> bytes:
    """A month's report of one unit's projects (or all): each project's cumulative of the
    months before (again: as the month itself stands) plus `add` 万元, under a title naming the
    month. con: a connection, or the path of a database."""
    if not hasattr(con, "execute"):
        with db.connect(con) as opened:
            return report(opened, month, unit, add, again)
    rows = con.execute(
        """SELECT p.code, p.name, coalesce(max(g.ytd), 0) + $add FROM projects p
           JOIN annual_plans a ON a.project_id = p.id AND a.year = $year
           LEFT JOIN progress g ON g.project_id = p.id AND g.year = $year AND g.month < $before
           WHERE $unit IS NULL OR p.unit = $unit GROUP BY ALL ORDER BY p.code""",
        {"add": add, "year": month.year, "before": month.month + again, "unit": unit},
    ).fetchall()
    lines = [
        f"秀洲区重点项目{month.label}进展情况",
        "项目代码,项目名称,年初至报告期累计完成投资（万元）",
    ]
    return "\n".join([*lines, *(f"{c},{n},{y}" for c, n, y in rows)]).encode("utf-8-sig")


def upload(path, data: bytes, username: str, reason: str | None = None):
    """Log in as the demo account and upload through prepare and commit, as the upload page
    does; a reason accepts warnings or makes a correction of a published month."""
    with db.connect(path) as con:
        user = auth.authenticate(con, username, PASSWORDS[username])
        preview = ingest.prepare(con, data, "月报.csv", user=user)
        assert not preview.errors, [str(e) for e in preview.errors]
        accept = bool(preview.warnings)
        return ingest.commit(con, preview, user, accept_warnings=accept, reason=reason)


def staff_september(path) -> None:
    with db.connect(path) as con:
        data = report(con, SEP, UNIT)
    assert upload(path, data, "staff") is not None


def publish(path, month: Month = SEP) -> cycle.Version:
    with db.connect(path) as con:
        return cycle.publish.publish(con, OFFICE, month, at=dt.datetime(2020, 10, 12, 10))


CORRECTION = "王江泾镇来函：9月累计完成投资漏报一笔设备款"


def correct(path, add: int = 5000) -> tuple[str, float]:
    """The office corrects published September: the unit's first project's cumulative + `add`
    万元, with a reason (a correction: the month's next version). Returns (name, old ytd)."""
    with db.connect(path) as con:
        code, name, ytd = con.execute(
            "SELECT p.code, p.name, g.ytd FROM projects p JOIN progress g ON g.project_id = p.id"
            " WHERE p.unit = ? AND g.year = 2020 AND g.month = 9 ORDER BY p.code LIMIT 1",
            [UNIT],
        ).fetchone()
    lines = [
        f"秀洲区重点项目{SEP.label}进展情况",
        "项目代码,项目名称,年初至报告期累计完成投资（万元）",
    ]
    data = "\n".join([*lines, f"{code},{name},{ytd + add}"]).encode("utf-8-sig")
    assert upload(path, data, "office", CORRECTION) is not None
    return name, float(ytd)

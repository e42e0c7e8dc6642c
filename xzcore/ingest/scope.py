"""A staff member changes only the projects of their own units (责任单位).

Progress rows are judged by the project's unit in the database; register rows by the unit in
the file and, for a project that exists, by its unit now: moving a project out of another unit,
or out of one's own into another, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from xzcore.ingest.parse import Problem
from xzcore.ingest.rows import Preview
from xzcore.ingest.values import fold
from xzcore.store.roles import User


@dataclass(frozen=True)
class Outside:
    row: int
    name: str
    now: str | None  # the project's unit in the database (None: a new project)
    given: str | None  # the unit the file gives (registers only)
    sheet: str | None = None

    @property
    def moved(self) -> bool:
        return bool(self.now and self.given and fold(self.now) != fold(self.given))

    @property
    def unit(self) -> str:
        if self.moved:
            return f"{self.now} → {self.given}"
        return self.now or self.given or "未填"

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}”" if self.sheet else ""
        return f"{where}第{self.row}行 {self.name}（责任单位：{self.unit}）"

    def problem(self, units: str) -> str:
        if self.moved:
            return f"“{self.name}”的责任单位不能由{self.now}改为{self.given}（您负责：{units}）"
        if not (self.now or self.given):
            return f"“{self.name}”没有填写责任单位，您只能导入{units}的项目"
        return f"“{self.name}”的责任单位是{self.unit}，不属于您负责的单位（{units}）"


def units_text(user: User) -> str:
    return "、".join(user.units)


def outside(con, preview: Preview, user: User) -> list[Outside]:
    """The rows of the upload a staff member may not write (none for other roles)."""
    if user.role != "staff":
        return []
    mine = {fold(u) for u in user.units}
    ids = [r.project_id for r in preview.rows if r.project_id is not None]
    current = dict(
        con.execute("SELECT id, unit FROM projects WHERE list_contains(?, id)", [ids]).fetchall()
    )
    found, seen = [], set()
    for row in preview.rows:
        if (row.sheet, row.row) in seen:  # a combined row's second part
            continue
        seen.add((row.sheet, row.row))
        now = current.get(row.project_id)  # None: a new project (or a unit never filled in)
        register = row if row.part == "register" else row.twin
        given = register.write.get("unit") if register else None
        units = [u for u in (now, given) if u]
        if not units or any(fold(u) not in mine for u in units):
            found.append(Outside(row.row, row.name, now, given, row.sheet))
    return found


def message(user: User, rows: list[Outside]) -> str:
    """The refusal of a commit, naming every row it concerns."""
    listed = "；".join(map(str, rows))
    return f"以下行不属于您负责的单位（{units_text(user)}），未写入：{listed}"


def mark(con, preview: Preview, user: User) -> None:
    """Turn the rows a staff member may not write into errors of the preview, before a commit."""
    columns = {c.field: c.header for c in preview.parsed.columns}
    column = columns.get("unit") or columns.get("name") or columns.get("code")
    for row in outside(con, preview, user):
        preview.problems.append(
            Problem("error", row.problem(units_text(user)), row.row, column, row.sheet)
        )

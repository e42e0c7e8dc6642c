"""What an upload would do, row by row: the Preview that the page shows and commit writes.

Shared by the two planners (plan.py: the month's figures; plan_register.py: the register).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from decimal import Decimal

from xzcore.ingest import checks
from xzcore.ingest.parse import Parsed, Problem, Record
from xzcore.ingest.values import fold

PROJECT_FIELDS = ("code", "name", "tier", "category", "township", "unit", "leader", "owner",
                  "build_type", "total_investment", "planned_start", "planned_completion",
                  "actual_start", "actual_completion", "lon", "lat", "project_type",
                  "start_year", "end_year")  # fmt: skip
# What planning a monthly report reads of the register (matching, start dates, 总投资).
_PROGRESS_NEEDS = ("code", "name", "actual_start", "actual_completion", "total_investment")
PROGRESS_FIELDS = ("amount", "ytd", "stage", "image_progress", "problems", "since_start", "started")
LABELS = {
    "code": "项目代码", "name": "项目名称", "tier": "项目级别", "category": "行业类别",
    "project_type": "项目类别", "township": "镇街道", "unit": "责任单位", "leader": "联系区领导",
    "owner": "项目业主", "build_type": "建设性质", "total_investment": "总投资（万元）",
    "planned_start": "计划开工日期", "planned_completion": "计划竣工日期",
    "actual_start": "实际开工日期", "actual_completion": "实际竣工日期", "lon": "经度",
    "lat": "纬度", "start_year": "建设起始年", "end_year": "建设截止年",
    "plan": "年度计划（万元）", "targets": "月度目标", "amount": "本月完成（万元）",
    "ytd": "累计完成（万元）", "since_start": "开工至今累计（万元）", "started": "是否开工",
    "stage": "项目阶段", "image_progress": "形象进度", "problems": "存在问题",
}  # fmt: skip
CENT = Decimal("0.01")  # 本月 + 上月累计 must meet 累计 to the cent of a 万元
# The column a problem names when the file has no such column (else the file's own header).
_FALLBACK = {"code": "项目代码", "name": "项目名称", "plan": "年度计划投资", "ytd": "累计完成",
             "actual_start": "实际开工日期", "planned_completion": "计划竣工日期"}  # fmt: skip


def header_of(parsed: Parsed, field: str, record: Record | None = None) -> str:
    """The header the file wrote for a field, so that a problem points at a column it has."""
    return parsed.header(field, record) or _FALLBACK[field]


def problem(
    level: str, message: str, record: Record, column: str | None = None, rule: str | None = None
) -> Problem:
    return Problem(level, message, record.row, column, record.sheet, rule)


@dataclass
class RowPlan:
    row: int
    name: str
    project_id: int | None
    action: str  # "new" | "changed" | "unchanged"
    changes: dict = field(default_factory=dict)  # field → (old, new)
    write: dict = field(default_factory=dict)  # the values commit will store
    part: str = "register"  # "register" | "progress": a combined file has both for a row
    sheet: str | None = None
    twin: RowPlan | None = None  # a progress row's register row (its new project's id)


@dataclass
class Preview:
    parsed: Parsed
    rows: list[RowPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    same_file_batch: int | None = None
    converted: list[str] = field(default_factory=list)  # headers read as 元 on request
    # db.data_version when the preview was laid against the database: commit lays the file
    # against the data again when anything has changed since (an undo, another upload)
    version: str | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def notes(self) -> list[Problem]:
        """What the preview tells without asking anything (rows left blank, not imported)."""
        return [p for p in self.problems if p.level == "info"]

    @property
    def yuan_columns(self) -> list[str]:
        """Money columns whose figures look typed in 元: the page offers to convert them."""
        return checks.yuan_columns(self.problems, [c.header for c in self.parsed.columns])

    @property
    def dated_completions(self) -> list[RowPlan]:
        """Rows reported 竣工/投运 whose 实际竣工日期 the report month's last day will stand in
        for (a monthly report carries no completion date): the page says so before the import."""
        return [r for r in self.rows if r.part == "progress" and "actual_completion" in r.changes]

    def counts(self, part: str | None = None) -> dict[str, int]:
        rows = [r for r in self.rows if part is None or r.part == part]
        return {a: sum(r.action == a for r in rows) for a in ("new", "changed", "unchanged")}


class Projects:
    """The register as matching needs it: by code, by folded name, and names for suggestions."""

    def __init__(self, con, parsed: Parsed):
        self.parsed = parsed
        # A monthly report needs only what matching and its checks read: turning every
        # register column of 10,000 projects into Python objects cost a third of an upload.
        fields = PROJECT_FIELDS if parsed.kind != "progress" else _PROGRESS_NEEDS
        rows = con.execute(f"SELECT id, {', '.join(fields)} FROM projects").fetchall()
        self.by_id = {r[0]: dict(zip(fields, r[1:], strict=True)) for r in rows}
        self.by_code = {fold(p["code"]): i for i, p in self.by_id.items() if p["code"]}
        self.by_name = {fold(p["name"]): i for i, p in self.by_id.items()}

    def column(self, record: Record) -> str:
        """The column that names the project: the name column, else the code column."""
        if self.parsed.header("name", record) or not self.parsed.header("code", record):
            return header_of(self.parsed, "name", record)
        return header_of(self.parsed, "code", record)

    def find(self, record: Record, problems: list[Problem], strict: bool) -> int | None:
        code, name = record.values.get("code"), record.values.get("name")
        if code and fold(code) in self.by_code:
            pid = self.by_code[fold(code)]
            known = self.by_id[pid]["name"]
            if name and fold(name) != fold(known) and strict:
                problems.append(
                    problem(
                        "warning",
                        f"名称与计划表不一致：计划表为“{known}”",
                        record,
                        header_of(self.parsed, "name", record),
                    )
                )
            return pid
        if name and fold(name) in self.by_name:
            pid = self.by_name[fold(name)]
            if code and strict:
                problems.append(
                    problem(
                        "warning",
                        f"项目代码“{code}”不在计划表中，已按名称匹配",
                        record,
                        header_of(self.parsed, "code", record),
                    )
                )
            return pid
        if strict:
            close = difflib.get_close_matches(
                fold(name or code), list(self.by_name), n=3, cutoff=0.6
            )
            hint = (
                "；相近的项目：" + "、".join(self.by_id[self.by_name[c]]["name"] for c in close)
                if close
                else ""
            )
            field_name = "name" if name else "code"  # the cell that named what is missing
            problems.append(
                problem(
                    "error",
                    f"项目“{name or code}”不在计划表中{hint}",
                    record,
                    header_of(self.parsed, field_name, record),
                )
            )
        return None


def duplicates(records: list[Record], key, problems: list[Problem], column) -> None:
    """Two rows of one upload (in any of its sheets) for the same project: an error."""
    first: dict = {}
    for record in records:
        k = key(record)
        if k is None:
            continue
        if k in first:
            where = f"工作表“{first[k].sheet}”" if first[k].sheet else ""
            problems.append(
                problem(
                    "error",
                    f"与{where}第{first[k].row}行是同一个项目，重复",
                    record,
                    column(record),
                )
            )
        else:
            first[k] = record

"""A Parsed file against the database: which project each row is, what would change, what is wrong.

Nothing is written here; the Preview this builds is what the page shows and what commit writes.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from decimal import Decimal

from xzcore.ingest.parse import Parsed, Problem, Record
from xzcore.ingest.values import fold, plain
from xzcore.period import Month

PROJECT_FIELDS = ("code", "name", "tier", "category", "township", "unit", "leader", "owner",
                  "build_type", "total_investment", "planned_start", "planned_completion",
                  "actual_start", "actual_completion", "lon", "lat")  # fmt: skip
PROGRESS_FIELDS = ("amount", "ytd", "stage", "image_progress", "problems")
LABELS = {
    "code": "项目代码", "name": "项目名称", "tier": "项目级别", "category": "行业类别",
    "township": "镇街道", "unit": "责任单位", "leader": "联系区领导", "owner": "项目业主",
    "build_type": "建设性质", "total_investment": "总投资（万元）", "planned_start": "计划开工日期",
    "planned_completion": "计划竣工日期", "actual_start": "实际开工日期",
    "actual_completion": "实际竣工日期", "lon": "经度",
    "lat": "纬度", "plan": "年度计划（万元）", "targets": "月度目标", "amount": "本月完成（万元）",
    "ytd": "累计完成（万元）", "stage": "项目阶段", "image_progress": "形象进度",
    "problems": "存在问题",
}  # fmt: skip
CENT = Decimal("0.01")  # 本月 + 上月累计 must meet 累计 to the cent of a 万元
# The column a problem names when the file has no such column (else the file's own header).
_FALLBACK = {"code": "项目代码", "name": "项目名称", "plan": "年度计划投资", "ytd": "累计完成",
             "actual_start": "实际开工日期", "planned_completion": "计划竣工日期"}  # fmt: skip


def _header(parsed: Parsed, field: str) -> str:
    """The header the file wrote for a field, so that a problem points at a column it has."""
    return next((c.header for c in parsed.columns if c.field == field), _FALLBACK[field])


@dataclass
class RowPlan:
    row: int
    name: str
    project_id: int | None
    action: str  # "new" | "changed" | "unchanged"
    changes: dict = field(default_factory=dict)  # field → (old, new)
    write: dict = field(default_factory=dict)  # the values commit will store


@dataclass
class Preview:
    parsed: Parsed
    rows: list[RowPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    same_file_batch: int | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    def counts(self) -> dict[str, int]:
        return {a: sum(r.action == a for r in self.rows) for a in ("new", "changed", "unchanged")}


class _Projects:
    """The register as matching needs it: by code, by folded name, and names for suggestions."""

    def __init__(self, con, parsed: Parsed):
        self.name_column, self.code_column = _header(parsed, "name"), _header(parsed, "code")
        rows = con.execute(f"SELECT id, {', '.join(PROJECT_FIELDS)} FROM projects").fetchall()
        self.by_id = {r[0]: dict(zip(PROJECT_FIELDS, r[1:], strict=True)) for r in rows}
        self.by_code = {fold(p["code"]): i for i, p in self.by_id.items() if p["code"]}
        self.by_name = {fold(p["name"]): i for i, p in self.by_id.items()}

    def find(self, record: Record, problems: list[Problem], strict: bool) -> int | None:
        code, name = record.values.get("code"), record.values.get("name")
        if code and fold(code) in self.by_code:
            pid = self.by_code[fold(code)]
            known = self.by_id[pid]["name"]
            if name and fold(name) != fold(known) and strict:
                problems.append(
                    Problem(
                        "warning",
                        f"名称与计划表不一致：计划表为“{known}”",
                        record.row,
                        self.name_column,
                    )
                )
            return pid
        if name and fold(name) in self.by_name:
            pid = self.by_name[fold(name)]
            if code and strict:
                problems.append(
                    Problem(
                        "warning",
                        f"项目代码“{code}”不在计划表中，已按名称匹配",
                        record.row,
                        self.code_column,
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
            column = self.name_column if name else self.code_column
            problems.append(
                Problem("error", f"项目“{name or code}”不在计划表中{hint}", record.row, column)
            )
        return None


def _duplicates(records: list[Record], key, problems: list[Problem], column: str) -> None:
    first: dict = {}
    for record in records:
        k = key(record)
        if k is None:
            continue
        if k in first:
            problems.append(
                Problem("error", f"与第{first[k]}行是同一个项目，重复", record.row, column)
            )
        else:
            first[k] = record.row


def build(con, parsed: Parsed, today: dt.date | None = None) -> Preview:
    preview = Preview(parsed, problems=list(parsed.problems))
    same = con.execute(
        "SELECT max(id) FROM batches WHERE sha256 = ? AND undone_at IS NULL", [parsed.sha256]
    ).fetchone()[0]
    if same:
        preview.same_file_batch = same
        preview.problems.append(
            Problem("warning", f"同一文件已于批次#{same}导入过；再次导入结果相同")
        )
    if parsed.kind is None or parsed.year is None:
        return preview
    projects = _Projects(con, parsed)
    if parsed.kind == "progress":
        if parsed.month is not None:
            _plan_progress(con, parsed, projects, preview, today or dt.date.today())
    else:
        _plan_register(con, parsed, projects, preview)
    return preview


def _plan_progress(con, parsed, projects, preview, today) -> None:
    month = Month(parsed.year, parsed.month)
    if month > Month.of(today):
        preview.problems.append(Problem("error", f"报告月份 {month} 在未来（今天是 {today}）"))
        return
    matched = [(r, projects.find(r, preview.problems, strict=True)) for r in parsed.records]
    ids = {r.row: pid for r, pid in matched}
    has_name = any(c.field == "name" for c in parsed.columns)
    column = projects.name_column if has_name else projects.code_column
    _duplicates(parsed.records, lambda r: ids[r.row], preview.problems, column)
    planned = {
        r[0]
        for r in con.execute(
            "SELECT project_id FROM annual_plans WHERE year = ?", [month.year]
        ).fetchall()
    }
    before = dict(
        con.execute(
            "SELECT project_id, arg_max(ytd, month) FROM progress"
            " WHERE year = ? AND month < ? GROUP BY 1",
            [month.year, month.month],
        ).fetchall()
    )
    # A correction of an earlier month must not leave a later month's cumulative below it.
    after = {
        pid: (later, ytd)
        for pid, later, ytd in con.execute(
            "SELECT project_id, min(month), arg_min(ytd, month) FROM progress"
            " WHERE year = ? AND month > ? GROUP BY 1",
            [month.year, month.month],
        ).fetchall()
    }
    cols = ("project_id", *PROGRESS_FIELDS)
    current = {
        r[0]: dict(zip(cols, r, strict=True))
        for r in con.execute(
            f"SELECT {', '.join(cols)} FROM progress WHERE year = ? AND month = ?",
            [month.year, month.month],
        ).fetchall()
    }
    for record, pid in matched:
        if pid is None:
            continue
        name = projects.by_id[pid]["name"]
        if pid not in planned:
            preview.problems.append(
                Problem(
                    "error",
                    f"“{name}”没有{month.year}年计划，请先导入计划表",
                    record.row,
                    column,
                )
            )
            continue
        previous = before.get(pid, Decimal(0))
        new = _progress_values(record, previous, _header(parsed, "ytd"), preview.problems)
        if new is None:
            continue
        if pid in after and after[pid][1] < new["ytd"]:
            later, ytd = after[pid]
            preview.problems.append(
                Problem(
                    "warning",
                    f"本次累计 {plain(new['ytd'])} 高于已报送的{later}月累计 {plain(ytd)}，"
                    f"{later}月及以后的月报需重新报送",
                    record.row,
                    _header(parsed, "ytd"),
                )
            )
        start = record.values.get("actual_start")
        if start and start > month.end:
            preview.problems.append(
                Problem(
                    "error",
                    f"实际开工日期 {start} 晚于报告月份 {month}",
                    record.row,
                    _header(parsed, "actual_start"),
                )
            )
            continue
        old = current.get(pid)
        changes = {
            f: (old.get(f) if old else None, new[f])
            for f in PROGRESS_FIELDS
            if (old.get(f) if old else None) != new[f]
        }
        known_start = projects.by_id[pid]["actual_start"]
        if start and start != known_start:
            changes["actual_start"] = (known_start, start)
            new["actual_start"] = start
        if new["stage"] in ("竣工", "投运") and projects.by_id[pid]["actual_completion"] is None:
            # reports carry no completion date: the month it was first reported done stands in
            changes["actual_completion"] = (None, month.end)
            new["actual_completion"] = month.end
        action = "new" if old is None else "changed" if changes else "unchanged"
        preview.rows.append(RowPlan(record.row, name, pid, action, changes, new))


def _progress_values(record: Record, previous: Decimal, column: str, problems) -> dict | None:
    amount, ytd = record.values.get("amount"), record.values.get("ytd")
    if amount is None and ytd is None:
        if not record.bad & {"amount", "ytd"}:  # a refused cell is not an empty one
            problems.append(Problem("error", "本月完成和累计完成都为空", record.row))
        return None
    if ytd is None:
        ytd = previous + amount
    elif amount is None:
        amount = ytd - previous
    elif abs(previous + amount - ytd) > CENT:
        problems.append(
            Problem(
                "error",
                f"本月完成 {plain(amount)} + 上月累计 {plain(previous)} = "
                f"{plain(previous + amount)}，与累计完成 {plain(ytd)} 不符",
                record.row,
                column,
            )
        )
        return None
    if ytd < previous:
        problems.append(
            Problem(
                "warning",
                f"累计完成 {plain(ytd)} 低于上月累计 {plain(previous)}",
                record.row,
                column,
            )
        )
        amount = ytd - previous
    values = {f: record.values.get(f) for f in ("stage", "image_progress", "problems")}
    return {"amount": amount, "ytd": ytd, **values}


def _plan_register(con, parsed, projects, preview) -> None:
    year = parsed.year
    name_column, code_column = projects.name_column, projects.code_column
    _duplicates(parsed.records, lambda r: fold(r.values.get("name")) or None, preview.problems,
                name_column)  # fmt: skip
    _duplicates(parsed.records, lambda r: fold(r.values.get("code")) or None, preview.problems,
                code_column)  # fmt: skip
    plans = dict(
        con.execute("SELECT project_id, plan FROM annual_plans WHERE year = ?", [year]).fetchall()
    )
    targets: dict[int, dict[int, Decimal]] = {}
    for pid, month, cum in con.execute(
        "SELECT project_id, month, target_cum FROM monthly_targets WHERE year = ?", [year]
    ).fetchall():
        targets.setdefault(pid, {})[month] = cum
    present = {c.field for c in parsed.columns}
    for record in parsed.records:
        v = record.values
        if not v.get("name"):
            preview.problems.append(
                Problem("error", "计划表每行都要有项目名称", record.row, name_column)
            )
            continue
        if v.get("plan") is None:
            if "plan" not in record.bad:  # a refused cell has its own message
                preview.problems.append(
                    Problem("error", "年度计划投资为空", record.row, _header(parsed, "plan"))
                )
            continue
        start, end = v.get("planned_start"), v.get("planned_completion")
        if start and end and end < start:
            preview.problems.append(
                Problem(
                    "error",
                    f"计划竣工日期 {end} 早于计划开工日期 {start}",
                    record.row,
                    _header(parsed, "planned_completion"),
                )
            )
            continue
        pid = projects.find(record, preview.problems, strict=False)
        old = projects.by_id.get(pid, {})
        other = projects.by_name.get(fold(v["name"]), pid)
        if other != pid:  # found by code, renamed to the name another project has
            preview.problems.append(
                Problem(
                    "error",
                    f"计划表中已有另一个项目叫“{projects.by_id[other]['name']}”，"
                    f"不能把“{old['name']}”改成这个名称",
                    record.row,
                    name_column,
                )
            )
            continue
        # A column the file lacks, or an empty cell, keeps what the register had.
        fields = {f: v[f] for f in PROJECT_FIELDS if f in present and v.get(f) is not None}
        changes = {f: (old.get(f), new) for f, new in fields.items() if old.get(f) != new}
        cumulative = _cumulative_targets(record, preview.problems)
        if plans.get(pid) != v["plan"]:
            changes["plan"] = (plans.get(pid), v["plan"])
        if cumulative and targets.get(pid) != cumulative:
            changes["targets"] = (targets.get(pid), cumulative)
        action = "new" if pid is None else "changed" if changes else "unchanged"
        write = fields | {"plan": v["plan"], "targets": cumulative}
        preview.rows.append(RowPlan(record.row, v["name"], pid, action, changes, write))


def _cumulative_targets(record: Record, problems) -> dict[int, Decimal] | None:
    """Monthly targets as cumulative figures, whether the file gave them per month or cumulative."""
    given = record.values.get("targets") or {}
    if not given:
        return None
    plan = record.values["plan"]
    months = sorted(given)
    series = [given[m] for m in months]
    running, cumulative = Decimal(0), {}
    if months == list(range(1, 13)) and series == sorted(series) and series[-1] == plan:
        return dict(zip(months, series, strict=True))  # already cumulative
    for m in range(1, 13):
        running += given.get(m, Decimal(0))
        cumulative[m] = running
    if running != plan:
        problems.append(
            Problem(
                "warning",
                f"月度目标合计 {plain(running)} 与年度计划 {plain(plan)} 不一致",
                record.row,
                "月度目标",
            )
        )
    return cumulative

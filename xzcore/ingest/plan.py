"""A Parsed file against the database: which project each row is, what would change, what is wrong.

Nothing is written here; the Preview this builds is what the page shows and what commit writes.
A combined 进展情况表 is planned twice: its register part first (plan_register.py), then the
month's figures, which may belong to a project that part is about to add.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xzcore.ingest import checks
from xzcore.ingest.parse import Parsed, Problem, Record
from xzcore.ingest.plan_register import plan_register
from xzcore.ingest.rows import (
    CENT,
    PROGRESS_FIELDS,
    Preview,
    Projects,
    RowPlan,
    duplicates,
    header_of,
    problem,
)
from xzcore.ingest.values import plain
from xzcore.period import Month


def build(con, parsed: Parsed, today: dt.date | None = None) -> Preview:
    preview = Preview(parsed, problems=list(parsed.problems))
    preview.same_file_batch = con.execute(
        "SELECT max(id) FROM batches WHERE sha256 = ? AND undone_at IS NULL", [parsed.sha256]
    ).fetchone()[0]
    if parsed.kind is None or parsed.year is None:
        return preview
    projects = Projects(con, parsed)
    if parsed.has_progress and parsed.month is None:
        return preview
    if parsed.has_progress and Month(parsed.year, parsed.month) > Month.of(
        today or dt.date.today()
    ):
        month, day = Month(parsed.year, parsed.month), today or dt.date.today()
        preview.problems.append(Problem("error", f"报告月份 {month} 在未来（今天是 {day}）"))
        return preview
    register = {}
    if parsed.kind in ("register", "combined"):
        register = plan_register(con, parsed, projects, preview)
    if parsed.has_progress:
        _plan_progress(con, parsed, projects, preview, register)
    same = preview.same_file_batch
    if same and any(r.action != "unchanged" for r in preview.rows):
        # the same file again, yet it would change something: a later upload changed it since
        preview.problems.append(
            Problem("warning", f"同一文件已于批次#{same}导入过，此后数据又有变动；再次导入将改回")
        )
    # A combined row's two parts may find the same fault (a duplicate row): say it once.
    preview.problems = list(dict.fromkeys(preview.problems))
    return preview


def _references(con, year: int, month: int) -> tuple[dict, dict, dict]:
    """Plans of the year, last month's cumulative before this month, and the next one reported."""
    plans = dict(
        con.execute("SELECT project_id, plan FROM annual_plans WHERE year = ?", [year]).fetchall()
    )
    before = dict(
        con.execute(
            "SELECT project_id, arg_max(ytd, month) FROM progress"
            " WHERE year = ? AND month < ? GROUP BY 1",
            [year, month],
        ).fetchall()
    )
    # A correction of an earlier month must not leave a later month's cumulative below it.
    after = {
        pid: (later, ytd)
        for pid, later, ytd in con.execute(
            "SELECT project_id, min(month), arg_min(ytd, month) FROM progress"
            " WHERE year = ? AND month > ? GROUP BY 1",
            [year, month],
        ).fetchall()
    }
    return plans, before, after


def _plan_progress(con, parsed, projects, preview, register: dict) -> None:
    """The month's figures of every row; register: file row → its register RowPlan (combined)."""
    month = Month(parsed.year, parsed.month)
    records = [r for r in parsed.records if parsed.parts[r.part].progress]
    matched = [
        (r, projects.find(r, preview.problems, strict=(r.sheet, r.row) not in register))
        for r in records
    ]
    ids = {(r.sheet, r.row): pid for r, pid in matched}
    duplicates(
        records,
        lambda r: ids[(r.sheet, r.row)] or (register.get((r.sheet, r.row)) and (r.sheet, r.row)),
        preview.problems,
        projects.column,
    )
    plans, before, after = _references(con, month.year, month.month)
    cols = ("project_id", *PROGRESS_FIELDS)
    current = {
        r[0]: dict(zip(cols, r, strict=True))
        for r in con.execute(
            f"SELECT {', '.join(cols)} FROM progress WHERE year = ? AND month = ?",
            [month.year, month.month],
        ).fetchall()
    }
    for record, pid in matched:
        twin = register.get((record.sheet, record.row))
        if pid is None and twin is None:
            continue  # not in the register: find() said so
        known = projects.by_id.get(pid, {})
        name = known.get("name") or twin.name
        if pid not in plans and not (twin and twin.write.get("plan") is not None):
            preview.problems.append(
                problem(
                    "error",
                    f"“{name}”没有{month.year}年计划，请先导入计划表",
                    record,
                    projects.column(record),
                )
            )
            continue
        previous = before.get(pid, Decimal(0))
        new = _progress_values(record, previous, header_of(parsed, "ytd", record), preview.problems)
        if new is None:
            continue
        old = current.get(pid)
        # A column the file lacks keeps what the month held (a correction of the figures alone
        # must not wipe the stage and the notes), as a register keeps fields a file lacks.
        for kept in ("stage", "image_progress", "problems", "since_start", "started"):
            if old and kept not in parsed.parts[record.part].fields:
                new[kept] = old[kept]
        preview.problems.extend(
            checks.check(
                _figures(parsed, record, name, new, known, plans.get(pid), before.get(pid))
            )
        )
        if pid in after and after[pid][1] < new["ytd"]:
            later, ytd = after[pid]
            preview.problems.append(
                problem(
                    "warning",
                    f"本次累计 {plain(new['ytd'])} 高于已报送的{later}月累计 {plain(ytd)}，"
                    f"{later}月及以后的月报需重新报送",
                    record,
                    header_of(parsed, "ytd", record),
                )
            )
        start = record.values.get("actual_start")
        if start and start > month.end:
            preview.problems.append(
                problem(
                    "error",
                    f"实际开工日期 {start} 晚于报告月份 {month}",
                    record,
                    header_of(parsed, "actual_start", record),
                )
            )
            continue
        changes = {
            f: (old.get(f) if old else None, new[f])
            for f in PROGRESS_FIELDS
            if (old.get(f) if old else None) != new[f]
        }
        if start and start != known.get("actual_start"):
            changes["actual_start"] = (known.get("actual_start"), start)
            new["actual_start"] = start
        if new["stage"] in ("竣工", "投运") and known.get("actual_completion") is None:
            # reports carry no completion date: the month it was first reported done stands in
            changes["actual_completion"] = (None, month.end)
            new["actual_completion"] = month.end
        action = "new" if old is None else "changed" if changes else "unchanged"
        preview.rows.append(
            RowPlan(record.row, name, pid, action, changes, new, "progress", record.sheet, twin)
        )


def _figures(parsed, record, name, new, known, db_plan, previous) -> checks.Figures:
    """What the plausibility rules compare: this row's figures and what the register says."""
    part = parsed.parts[record.part]
    v = record.values
    return checks.Figures(
        row=record.row,
        sheet=record.sheet,
        name=name,
        amount=new["amount"] if "amount" in part.fields else None,
        ytd=new["ytd"],
        since_start=new["since_start"],
        plan=v.get("plan") if v.get("plan") is not None else db_plan,
        total=v.get("total_investment") or known.get("total_investment"),
        previous_ytd=previous,
        db_plan=db_plan,
        db_total=known.get("total_investment"),
        columns=part.units[0],
        unit_given=part.units[1],
        factors=part.units[2],
        rates=v.get("rates") or {},
    )


def _progress_values(record: Record, previous: Decimal, column: str, problems) -> dict | None:
    amount, ytd = record.values.get("amount"), record.values.get("ytd")
    if amount is None and ytd is None:
        if not record.bad & {"amount", "ytd"}:  # a refused cell is not an empty one
            # a template's row left blank (a unit's workbook filled in part): not reported yet,
            # which the status page shows, rather than an error that blocks the rest
            problems.append(
                problem(
                    "info", "本月完成和累计完成都未填，本行不导入，该项目本月视为未报送", record
                )
            )
        return None
    if ytd is None:
        ytd = previous + amount
    elif amount is None:
        amount = ytd - previous
    elif abs(previous + amount - ytd) > CENT:
        problems.append(
            problem(
                "error",
                f"本月完成 {plain(amount)} + 上月累计 {plain(previous)} = "
                f"{plain(previous + amount)}，与累计完成 {plain(ytd)} 不符",
                record,
                column,
            )
        )
        return None
    if ytd < previous:
        problems.append(
            problem(
                "warning",
                f"累计完成 {plain(ytd)} 低于上月累计 {plain(previous)}",
                record,
                column,
                rule="ytd_below_last",
            )
        )
        amount = ytd - previous
    kept = ("stage", "image_progress", "problems", "since_start", "started")
    return {"amount": amount, "ytd": ytd, **{f: record.values.get(f) for f in kept}}

"""The register part of an upload: projects, annual plans and monthly targets, row by row."""

from __future__ import annotations

from decimal import Decimal

from xzcore.ingest import checks
from xzcore.ingest.parse import Record
from xzcore.ingest.rows import PROJECT_FIELDS, RowPlan, duplicates, header_of, problem
from xzcore.ingest.values import fold, plain


def plan_register(con, parsed, projects, preview) -> dict:
    """The register part of every row; returns file row → RowPlan for the progress part."""
    year = parsed.year
    combined = parsed.kind == "combined"
    records = [r for r in parsed.records if parsed.parts[r.part].register]
    if not combined:  # a combined row may name its project by code alone
        duplicates(records, lambda r: fold(r.values.get("name")) or None, preview.problems,
                    lambda r: header_of(parsed, "name", r))  # fmt: skip
    duplicates(records, lambda r: fold(r.values.get("code")) or None, preview.problems,
                lambda r: header_of(parsed, "code", r))  # fmt: skip
    plans = dict(
        con.execute("SELECT project_id, plan FROM annual_plans WHERE year = ?", [year]).fetchall()
    )
    targets: dict[int, dict[int, Decimal]] = {}
    for pid, month, cum in con.execute(
        "SELECT project_id, month, target_cum FROM monthly_targets WHERE year = ?", [year]
    ).fetchall():
        targets.setdefault(pid, {})[month] = cum
    planned = {}
    for record in records:
        v = record.values
        pid = projects.find(record, [], strict=False)
        if combined and (v.get("plan") is None or (pid is None and not v.get("name"))):
            continue  # nothing of the register to change here; the month's part reports the rest
        if not v.get("name") and pid is None:
            preview.problems.append(
                problem(
                    "error", "计划表每行都要有项目名称", record, header_of(parsed, "name", record)
                )
            )
            continue
        if v.get("plan") is None:
            if "plan" not in record.bad:  # a refused cell has its own message
                preview.problems.append(
                    problem("error", "年度计划投资为空", record, header_of(parsed, "plan", record))
                )
            continue
        start, end = v.get("planned_start"), v.get("planned_completion")
        if start and end and end < start:
            preview.problems.append(
                problem(
                    "error",
                    f"计划竣工日期 {end} 早于计划开工日期 {start}",
                    record,
                    header_of(parsed, "planned_completion", record),
                )
            )
            continue
        old = projects.by_id.get(pid, {})
        other = projects.by_name.get(fold(v.get("name")), pid) if v.get("name") else pid
        if other != pid:  # found by code, renamed to the name another project has
            preview.problems.append(
                problem(
                    "error",
                    f"计划表中已有另一个项目叫“{projects.by_id[other]['name']}”，"
                    f"不能把“{old['name']}”改成这个名称",
                    record,
                    header_of(parsed, "name", record),
                )
            )
            continue
        # A column the file lacks, or an empty cell, keeps what the register had.
        present = parsed.parts[record.part].fields | {"start_year", "end_year"}
        fields = {f: v[f] for f in PROJECT_FIELDS if f in present and v.get(f) is not None}
        changes = {f: (old.get(f), new) for f, new in fields.items() if old.get(f) != new}
        cumulative = _cumulative_targets(record, preview.problems)
        if plans.get(pid) != v["plan"]:
            changes["plan"] = (plans.get(pid), v["plan"])
        if cumulative and targets.get(pid) != cumulative:
            changes["targets"] = (targets.get(pid), cumulative)
        if not combined:  # a combined row is checked once, with its month's figures
            preview.problems.extend(
                checks.check(_register_figures(parsed, record, old, plans.get(pid)))
            )
        action = "new" if pid is None else "changed" if changes else "unchanged"
        write = fields | {"plan": v["plan"], "targets": cumulative}
        name = v.get("name") or old["name"]
        plan = RowPlan(record.row, name, pid, action, changes, write, "register", record.sheet)
        preview.rows.append(plan)
        planned[(record.sheet, record.row)] = plan
    return planned


def _register_figures(parsed, record, old, db_plan) -> checks.Figures:
    part = parsed.parts[record.part]
    v = record.values
    return checks.Figures(
        row=record.row, sheet=record.sheet, name=v.get("name") or old.get("name"),
        amount=None, ytd=None, since_start=None, plan=v["plan"],
        total=v.get("total_investment") or old.get("total_investment"), previous_ytd=None,
        db_plan=db_plan, db_total=old.get("total_investment"),
        columns=part.units[0],
        unit_given=part.units[1],
        factors=part.units[2], rates={},
    )  # fmt: skip


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
            problem(
                "warning",
                f"月度目标合计 {plain(running)} 与年度计划 {plain(plan)} 不一致",
                record,
                "月度目标",
            )
        )
    return cumulative

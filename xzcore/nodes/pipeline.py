"""The pipeline 签约 → 开工 → 竣工 → 投产 at the end of a month (DESIGN.md §9): counts, the rates
with their denominators in words, and the exception lists by unit.

The projects are those on the year's list (with an annual plan): each is a signed project
(签约). For each step a project has a planned date and, when it is there, the date it got
there: the planned date of its node of that step, else the register's 计划开工/竣工日期
(投产 has no register date); reached as the node says (xzcore.nodes.frame: entered, else
the register's 实际日期 and the reports), and a 续建 project has started.

- 开工率（1–M月计划）= started among those planned to start by the month's end ÷ those;
  开工率（全年计划）the same with the year's end. A 续建 project is always planned to have
  started; one with no planned start is planned to have started when it has (as the
  dashboard's 开工率, DESIGN.md §2).
- 竣工率 likewise with the completion dates (1–M月 and 全年).
- 投产率 = projects in production ÷ signed projects.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xzcore.nodes.frame import REPORTED, _end
from xzcore.period import Month

_STEPS = """
    SELECT project_id,
        any_value(planned) FILTER (WHERE stage = '开工') AS n_ps,
        any_value(actual) FILTER (WHERE stage = '开工') AS n_as,
        any_value(planned) FILTER (WHERE stage = '竣工') AS n_pc,
        any_value(actual) FILTER (WHERE stage = '竣工') AS n_ac,
        any_value(planned) FILTER (WHERE stage = '投运') AS n_po,
        any_value(actual) FILTER (WHERE stage = '投运') AS n_ao
    FROM project_nodes WHERE stage IN ('开工', '竣工', '投运') GROUP BY project_id
"""

PROJECTS = f"""
WITH rep AS ({REPORTED}), steps AS ({_STEPS}), dated AS (
    SELECT p.id, p.name, p.code, p.unit, coalesce(p.build_type = '续建', FALSE) AS continuing,
        coalesce(s.n_ps, p.planned_start) AS planned_start,
        coalesce(s.n_pc, p.planned_completion) AS planned_completion,
        s.n_po AS planned_operation,
        coalesce(s.n_as, p.actual_start, {_end("r.s")}) AS start_date,
        coalesce(s.n_ac, p.actual_completion, {_end("r.c")}) AS completion_date,
        coalesce(s.n_ao, {_end("r.o")}) AS operation_date
    FROM projects p JOIN annual_plans a ON a.project_id = p.id AND a.year = $year
    LEFT JOIN steps s ON s.project_id = p.id
    LEFT JOIN rep r ON r.project_id = p.id
)
SELECT *,
    continuing OR coalesce(start_date <= $day, FALSE) AS started,
    coalesce(completion_date <= $day, FALSE) AS completed,
    coalesce(operation_date <= $day, FALSE) AS operating
FROM dated
"""

_FIGURES = f"""
SELECT count(*) AS signed,
    count_if(started) AS started,
    count_if(completed) AS completed,
    count_if(operating) AS operating,
    count_if(start_due_m) AS start_due_m, count_if(start_due_m AND started) AS started_due_m,
    count_if(start_due_y) AS start_due_y, count_if(start_due_y AND started) AS started_due_y,
    count_if(done_due_m) AS done_due_m, count_if(done_due_m AND completed) AS completed_due_m,
    count_if(done_due_y) AS done_due_y, count_if(done_due_y AND completed) AS completed_due_y,
    count_if(op_due_m) AS op_due_m, count_if(op_due_m AND NOT operating) AS op_late
FROM (
    SELECT started, completed, operating,
        continuing OR coalesce(planned_start <= $day, started) AS start_due_m,
        continuing OR coalesce(planned_start <= $year_end, started) AS start_due_y,
        coalesce(planned_completion <= $day, completed) AS done_due_m,
        coalesce(planned_completion <= $year_end, completed) AS done_due_y,
        coalesce(planned_operation <= $day, FALSE) AS op_due_m
    FROM ({PROJECTS})
)
"""

# The exception lists: (kind, its planned date column, what it must have reached)
EXCEPTIONS = {
    "应开工未开工": ("planned_start", "NOT started"),
    "应竣工未竣工": ("planned_completion", "NOT completed"),
    "应投产未投产": ("planned_operation", "NOT operating"),
}


def _params(month: Month, year_end: bool = False, day: dt.date | None = None) -> dict:
    day = min(day or month.end, month.end)
    found = {"year": month.year, "day": day, "ym": day.year * 12 + day.month - 1}
    return found | {"year_end": dt.date(month.year, 12, 31)} if year_end else found


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def figures(con, month: Month, day: dt.date | None = None) -> dict:
    """The month's pipeline: counts per step and each rate with its numerator, denominator
    and both in words. day: judged at (default and at the latest the month's end; a month not
    over yet is judged at today, so that what falls due later in it is not yet late)."""
    bound = _params(month, year_end=True, day=day)
    row = con.execute(_FIGURES, bound).fetchone()
    f = dict(zip([d[0] for d in con.description], (int(v or 0) for v in row), strict=True))
    span = f"1-{month.month}月"
    rates = {
        "start_month": (f["started_due_m"], f["start_due_m"], "开工率（按1-M月计划）",
                        "已开工", f"{span}计划应开工"),
        "start_year": (f["started_due_y"], f["start_due_y"], "开工率（按全年计划）",
                       "已开工", f"{month.year}年计划开工"),
        "completion_month": (f["completed_due_m"], f["done_due_m"], "竣工率（按1-M月计划）",
                             "已竣工", f"{span}计划应竣工"),
        "completion_year": (f["completed_due_y"], f["done_due_y"], "竣工率（按全年计划）",
                            "已竣工", f"{month.year}年计划竣工"),
        "operation": (f["operating"], f["signed"], "投产率（按签约项目）", "已投产", "签约项目"),
    }  # fmt: skip
    out = {"month": str(month), "day": bound["day"],
           "counts": {"签约": f["signed"], "开工": f["started"], "竣工": f["completed"],
                      "投产": f["operating"]}}  # fmt: skip
    out["rates"] = {
        key: {
            "name": name.replace("1-M", f"1-{month.month}"),
            "numerator": num,
            "denominator": den,
            "rate": _rate(num, den),
            "words": f"{top} {num} 个 ÷ {bottom} {den} 个",
        }
        for key, (num, den, name, top, bottom) in rates.items()
    }
    return out


def projects(con, month: Month) -> pd.DataFrame:
    """One row a project of the year: its planned and reached dates for each step."""
    return con.execute(f"{PROJECTS} ORDER BY id", _params(month)).df()


def exceptions(con, month: Month, day: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """应开工未开工, 应竣工未竣工, 应投产未投产 at the month's end: unit, project, planned date
    and days overdue, by unit then the longest overdue first. One pass over the projects."""
    parts = " UNION ALL ".join(
        f"""SELECT '{kind}' AS kind, unit, name AS project, code, id, {planned} AS planned,
                   date_diff('day', {planned}, $day) AS days
            FROM f WHERE {planned} <= $day AND {missing}"""
        for kind, (planned, missing) in EXCEPTIONS.items()
    )
    found = con.execute(
        f"WITH f AS MATERIALIZED ({PROJECTS}) {parts}"
        " ORDER BY kind, unit NULLS LAST, days DESC, id",
        _params(month, day=day),
    ).df()
    return {
        kind: found[found["kind"] == kind].drop(columns=["kind"]).reset_index(drop=True)
        for kind in EXCEPTIONS
    }


def by_unit(lists: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """How many of each exception each unit has (units with none left out), most first."""
    counts = [table.groupby("unit", dropna=False).size().rename(kind)
              for kind, table in lists.items()]  # fmt: skip
    if not counts:
        return pd.DataFrame(columns=["unit", *EXCEPTIONS])
    table = pd.concat(counts, axis=1).fillna(0).astype(int)
    for kind in EXCEPTIONS:
        if kind not in table:
            table[kind] = 0
    table["合计"] = table[list(EXCEPTIONS)].sum(axis=1)
    table = table.sort_values("合计", ascending=False).reset_index(names="unit")
    table["unit"] = table["unit"].fillna("（未填）")
    return table

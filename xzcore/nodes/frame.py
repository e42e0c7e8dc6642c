"""Every node with its state on a day, as one query (the project page, the overdue lists).

A node's actual date is the one entered (by hand or from a node file); for the nodes that mark
a pipeline step and have none entered, what the register and the monthly reports already say:
开工 — the 实际开工日期, else the end of the first month a report said started (是否开工 是, or
a stage past 签约); 竣工 — the 实际竣工日期, else the end of the first month reported 竣工 or 投运;
投运 — the end of the first month reported 投运. 签约 is done for every project on the list, and a
续建 project's start is done whatever its dates say (started before this year). A node with no
date of its own is done when a node after it is done (已完成, no date to judge it by).
Only what was known by the day counts: a date after it is not done yet.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xzcore.nodes.model import DONE, DONE_LATE, DONE_ON_TIME, DUE_SOON, OVERDUE, PENDING, UNPLANNED

_MONTH_END = "last_day(make_date(CAST({i} // 12 AS INTEGER), CAST({i} % 12 + 1 AS INTEGER), 1))"


def _end(index: str) -> str:
    return _MONTH_END.format(i=index)


def _said(index: str) -> str:
    return (
        f"CAST({index} // 12 AS VARCHAR) || '年' || CAST({index} % 12 + 1 AS VARCHAR) || '月月报'"
    )


# The first month (year × 12 + month − 1) each project's reports said started, 竣工, 投运, up
# to the day's month. Bound: $ym.
REPORTED = """
SELECT project_id,
    min(year * 12 + month - 1) FILTER (WHERE started OR stage IN ('开工', '在建', '竣工', '投运'))
        AS s,
    min(year * 12 + month - 1) FILTER (WHERE stage IN ('竣工', '投运')) AS c,
    min(year * 12 + month - 1) FILTER (WHERE stage = '投运') AS o
FROM progress WHERE year * 12 + month - 1 <= $ym GROUP BY project_id
"""

NODES = f"""
WITH rep AS ({REPORTED}), raw AS (
    SELECT n.project_id, n.position, n.name, n.stage, n.planned, n.note, n.actual AS entered,
        coalesce(n.unit, p.unit) AS unit, p.name AS project, p.code, p.unit AS project_unit,
        CASE WHEN n.actual IS NOT NULL THEN n.actual
             WHEN n.stage = '开工' THEN coalesce(p.actual_start, {_end("r.s")})
             WHEN n.stage = '竣工' THEN coalesce(p.actual_completion, {_end("r.c")})
             WHEN n.stage = '投运' THEN {_end("r.o")} END AS found,
        CASE WHEN n.actual IS NOT NULL THEN '填报'
             WHEN n.stage = '开工' AND p.actual_start IS NOT NULL THEN '实际开工日期'
             WHEN n.stage = '开工' AND r.s IS NOT NULL THEN {_said("r.s")}
             WHEN n.stage = '竣工' AND p.actual_completion IS NOT NULL THEN '实际竣工日期'
             WHEN n.stage = '竣工' AND r.c IS NOT NULL THEN {_said("r.c")}
             WHEN n.stage = '投运' AND r.o IS NOT NULL THEN {_said("r.o")}
             WHEN n.stage = '签约' THEN '列入重点项目计划'
             WHEN n.stage = '开工' AND p.build_type = '续建' THEN '续建项目（上年已开工）'
             END AS source,
        coalesce(n.stage = '签约' OR (n.stage = '开工' AND p.build_type = '续建'), FALSE)
            AS known
    FROM project_nodes n JOIN projects p ON p.id = n.project_id
    LEFT JOIN rep r ON r.project_id = n.project_id
    WHERE {{where}}
), dated AS (
    SELECT * EXCLUDE (found), CASE WHEN found <= $day THEN found END AS actual
    FROM raw
), done AS (
    SELECT *,
        -- done itself, or a node after it is (a later node cannot be done before it)
        bool_or(actual IS NOT NULL OR known) OVER (PARTITION BY project_id ORDER BY position DESC
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS done
    FROM dated
)
SELECT *,
    CASE WHEN done THEN CASE WHEN actual IS NULL OR planned IS NULL THEN '{DONE}'
                             WHEN actual > planned THEN '{DONE_LATE}' ELSE '{DONE_ON_TIME}' END
         WHEN planned IS NULL THEN '{UNPLANNED}'
         WHEN planned < $day THEN '{OVERDUE}'
         WHEN planned <= $day + CAST($due_soon AS INTEGER) THEN '{DUE_SOON}'
         ELSE '{PENDING}' END AS state,
    CASE WHEN done AND actual > planned THEN date_diff('day', planned, actual)
         WHEN NOT done AND planned < $day THEN date_diff('day', planned, $day)
         WHEN NOT done AND planned <= $day + CAST($due_soon AS INTEGER)
             THEN date_diff('day', $day, planned) END AS days
FROM done
"""


def params(day: dt.date, due_soon: int) -> dict:
    return {"day": day, "ym": day.year * 12 + day.month - 1, "due_soon": int(due_soon)}


def query(day: dt.date, due_soon: int, where: str = "TRUE") -> tuple[str, dict]:
    """(sql, params) of every node with its state; `where` is a condition on n (nodes) and p
    (projects) with only constants or bound parameters in it."""
    return NODES.format(where=where), params(day, due_soon)


def nodes(con, day: dt.date, due_soon: int, project_id: int | None = None) -> pd.DataFrame:
    """The nodes (of one project, or all) with their states on the day, in order."""
    where, extra = (
        ("n.project_id = $project_id", {"project_id": int(project_id)})
        if (project_id is not None)
        else ("TRUE", {})
    )
    sql, bound = query(day, due_soon, where)
    return con.execute(f"{sql} ORDER BY project_id, position", bound | extra).df()

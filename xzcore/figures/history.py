"""Figures over months: the cumulative trend, light history and changes, one project's record."""

from __future__ import annotations

import pandas as pd

from xzcore.figures.frame import filters_sql, frame_query
from xzcore.period import Month
from xzcore.store import settings


def trend(con, month: Month, *, filters=None, schedule_mode=None) -> pd.DataFrame:
    """January … month of that year: plan, completed (as known at each month end), expected.

    One statement for all months: each month takes each project's latest cumulative so far.
    A light filter keeps the projects lit so in `month` (a light belongs to one month), the
    projects every other figure of the view counts.
    """
    mode = settings.schedule_mode(con, schedule_mode)
    if (filters or {}).get("light"):
        lit = frame_query(month, mode, settings.preset(con), filters, prefix="lit_")
        scope, params = f"SELECT id, plan FROM ({lit.sql})", lit.params
    else:
        project_cond, _, params = filters_sql(filters)
        scope = f"""SELECT p.id, ap.plan FROM projects p
    JOIN annual_plans ap ON ap.project_id = p.id AND ap.year = $year
    WHERE {project_cond}"""
    sql = f"""
WITH scope AS ({scope}), months AS (SELECT range AS m FROM range(1, $month + 1)),
done AS (
    SELECT mo.m, g.project_id, arg_max(g.ytd, g.month) AS ytd
    FROM progress g JOIN months mo ON g.month <= mo.m
    WHERE g.year = $year AND g.project_id IN (SELECT id FROM scope)
    GROUP BY ALL
), expected AS (
    SELECT mo.m, sum(CASE WHEN $mode = 'plan' AND t.target_cum IS NOT NULL THEN 12 * t.target_cum
                          ELSE s.plan * mo.m END) AS e12
    FROM scope s CROSS JOIN months mo
    LEFT JOIN monthly_targets t ON t.project_id = s.id AND t.year = $year AND t.month = mo.m
    GROUP BY mo.m
)
SELECT mo.m AS month_no,
    (SELECT sum(plan) FROM scope) AS plan_wan,
    coalesce((SELECT sum(ytd) FROM done d WHERE d.m = mo.m), 0) AS completed_wan,
    e.e12 / 12 AS expected_wan
FROM months mo JOIN expected e ON e.m = mo.m
ORDER BY 1
"""
    params |= {"year": month.year, "month": month.month, "mode": mode}
    frame = con.execute(sql, params).df()
    for column in ("plan_wan", "completed_wan", "expected_wan"):
        frame[column] = frame[column].astype(float)
    frame["completion_rate"] = frame.completed_wan / frame.plan_wan
    frame["schedule_progress"] = frame.expected_wan / frame.plan_wan
    return frame


def light_history(con, month: Month, *, filters=None) -> pd.DataFrame:
    """Published lights (snapshots) of January … month, one row a project and month."""
    project_cond, _, params = filters_sql(
        {k: v for k, v in (filters or {}).items() if k != "light"}
    )
    sql = f"""SELECT s.project_id AS id, p.code, p.name, p.unit, s.month, s.light, s.reason,
                     s.completion_rate, s.lag_pp, s.preset
              FROM light_snapshots s JOIN projects p ON p.id = s.project_id
              WHERE s.year = $year AND s.month <= $month AND {project_cond}
              ORDER BY p.id, s.month"""
    return con.execute(sql, params | {"year": month.year, "month": month.month}).df()


_RANK = "CASE {} WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END"


def light_changes(con, month: Month) -> pd.DataFrame:
    """Projects whose published light differs from the month before: newly red first."""
    before = month.shift(-1)
    sql = f"""SELECT p.id, p.code, p.name, p.unit, p.township, b.light AS light_before,
                     n.light, n.reason, n.lag_pp,
                     {_RANK.format("n.light")} - {_RANK.format("b.light")} AS worse_by
              FROM light_snapshots n
              JOIN light_snapshots b ON b.project_id = n.project_id
                   AND b.year = $by AND b.month = $bm
              JOIN projects p ON p.id = n.project_id
              WHERE n.year = $year AND n.month = $month AND n.light <> b.light
              ORDER BY n.light = 'red' DESC, worse_by DESC, n.lag_pp DESC NULLS LAST, p.id"""
    params = {"year": month.year, "month": month.month, "by": before.year, "bm": before.month}
    return con.execute(sql, params).df()


def project_record(con, project_id: int, month: Month) -> dict | None:
    """The register row, the year's plan, and month by month: completed, target, light, notes."""
    cursor = con.execute("SELECT * FROM projects WHERE id = ?", [project_id])
    row = cursor.fetchone()
    if row is None:
        return None
    register = dict(zip([d[0] for d in cursor.description], row, strict=True))
    plan = con.execute(
        "SELECT plan FROM annual_plans WHERE project_id = ? AND year = ?", [project_id, month.year]
    ).fetchone()
    months = con.execute(
        """SELECT mo.range AS month_no, g.amount, g.ytd, t.target_cum, g.stage, g.image_progress,
                  g.problems, s.light, s.reason, s.completion_rate, s.lag_pp
           FROM range(1, $month + 1) mo
           LEFT JOIN progress g ON g.project_id = $id AND g.year = $year AND g.month = mo.range
           LEFT JOIN monthly_targets t ON t.project_id = $id AND t.year = $year
                AND t.month = mo.range
           LEFT JOIN light_snapshots s ON s.project_id = $id AND s.year = $year
                AND s.month = mo.range
           ORDER BY 1""",
        {"id": project_id, "year": month.year, "month": month.month},
    ).df()
    return {"register": register, "plan_wan": plan[0] if plan else None, "months": months}


def search(con, text: str, limit: int = 20) -> pd.DataFrame:
    """Projects whose name or code contains the text (spaces and full-width ignored)."""
    from xzcore.ingest.values import fold

    needle = fold(text).lower()
    if not needle:
        return pd.DataFrame(columns=["id", "code", "name", "unit", "township"])
    return con.execute(
        """SELECT id, code, name, unit, township FROM projects
           WHERE contains(lower(replace(name, ' ', '')), $q)
              OR contains(lower(coalesce(code, '')), $q)
           ORDER BY NOT starts_with(lower(coalesce(code, '')), $q), length(name), id
           LIMIT $limit""",
        {"q": needle, "limit": limit},
    ).df()

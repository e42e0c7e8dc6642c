"""Figures for a month and any grouping, as DESIGN.md section 2 defines them.

Groups are always ratio of sums (Σ completed ÷ Σ plan), never a mean of project rates.
"""

from __future__ import annotations

import json

import pandas as pd

from xzcore.errors import BadArgument, UnknownMonth
from xzcore.figures.frame import (
    GROUP_COLUMNS,
    STAGES,
    Query,
    completion_light_sql,
    frame_query,
    with_reasons,
)
from xzcore.period import Month
from xzcore.rules import LIGHTS, Preset
from xzcore.store import settings

GROUPINGS = ("all", *GROUP_COLUMNS)


def available_months(con) -> list[Month]:
    """Every month that can be viewed: January to the latest reported month of each plan year."""
    # Read off the upload batches (a few rows), not the progress table (millions).
    rows = con.execute(
        """SELECT year, max(month) FROM batches
           WHERE kind IN ('progress', 'combined') AND undone_at IS NULL
             AND year IN (SELECT DISTINCT year FROM annual_plans)
           GROUP BY year ORDER BY year"""
    ).fetchall()
    return [Month(year, m) for year, last in rows for m in range(1, last + 1)]


def check_month(month: Month, available) -> Month:
    """The month itself when it can be viewed, else UnknownMonth naming what there is."""
    if month not in available:
        months = sorted(available)
        have = f"现有 {months[0]} 至 {months[-1]}" if months else "数据库中还没有任何月报"
        raise UnknownMonth(f"{month} 没有数据：{have}")
    return month


def _frame(con, month, schedule_mode, preset, filters):
    """`preset`: a name (with the admin's stored thresholds), or a Preset itself, as the rules
    page previews thresholds not saved yet; None: the one in force."""
    mode = settings.schedule_mode(con, schedule_mode)
    if not isinstance(preset, Preset):
        preset = settings.preset(con, preset)
    return frame_query(month, mode, preset, filters), mode, preset


# What a list of projects shows; money as DOUBLE because it is only displayed. Kept short:
# turning text columns into pandas costs more than computing them (measured at 10,000 rows).
DISPLAY_COLUMNS = """id, code, name, unit, township,
    CAST(plan AS DOUBLE) AS plan_wan, CAST(completed AS DOUBLE) AS completed_wan,
    completion_rate, schedule, lag_pp, light"""
# What with_reasons needs besides the displayed columns.
_REASON_INPUTS = (
    "completion_light, start_light, start_overdue, planned_start, plan, e12, node_light,"
    " node_days, node_name"
)
WORST_FIRST = (
    "CASE light WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, lag_pp DESC NULLS LAST, id"
)


def project_status(con, month: Month, *, schedule_mode=None, preset=None, filters=None):
    """One row a project, every column of the frame and the reason for its light; by id."""
    query, _, chosen = _frame(con, month, schedule_mode, preset, filters)
    full = with_reasons(query, chosen, order="ORDER BY id")
    sql = f"""SELECT * EXCLUDE (plan, completed, e12, total_investment),
        CAST(plan AS DOUBLE) AS plan_wan, CAST(completed AS DOUBLE) AS completed_wan,
        CAST(total_investment AS DOUBLE) AS total_investment_wan
        FROM ({full.sql}) ORDER BY id"""
    return con.execute(sql, full.params).df()


_AGGREGATES = """
    count(*) AS projects,
    sum(plan) AS plan,
    sum(completed) AS completed,
    sum(e12) AS e12,
    count_if(started) AS started,
    count_if(due) AS due,
    count_if(started AND due) AS started_due,
    count_if(light = 'green') AS green,
    count_if(light = 'yellow') AS yellow,
    count_if(light = 'red') AS red,
    {stages}
"""


def _ratio(num, den):
    return float(num / den) if den else None


def _group_dict(row: dict, month: Month, mode: str) -> dict:
    plan, done, e12 = (row[k] or 0 for k in ("plan", "completed", "e12"))
    # Calendar mode is exactly m/12 whatever the plans; plan mode is Σ targets ÷ Σ plan.
    schedule = month.month / 12 if mode == "calendar" else _ratio(e12, 12 * plan)
    return {
        "projects": row["projects"],
        "plan_wan": float(plan),
        "completed_wan": float(done),
        "completion_rate": _ratio(done, plan),
        "schedule_progress": schedule,
        # From the exact sums, so a group exactly on schedule shows 0.0, not 1e-15.
        "lag_pp": _ratio(100 * (e12 - 12 * done), 12 * plan),
        "started": row["started"],
        "due_to_start": row["due"],
        "start_rate": _ratio(row["started_due"], row["due"]),
        "lights": {k: row[k] for k in LIGHTS},
        # the group's own light: the completion rule on its sums (a group has no start date)
        "light": row["group_light"],
        "stages": {s: row[f"stage_{i}"] for i, s in enumerate(STAGES)},
    }


def _records(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def summary(con, month: Month, *, by=None, schedule_mode=None, preset=None, filters=None) -> dict:
    """Totals for the month and, for each grouping asked, one entry a group.

    `by` is one grouping name or a list of them; all groupings come from one pass over the frame.
    """
    check_month(month, available_months(con))
    groupings = [by] if isinstance(by, str) else list(by or [])
    for g in groupings:
        if g not in GROUPINGS:
            raise BadArgument(f"不能按“{g}”分组，可选：{'、'.join(GROUPINGS)}")
    columns = [g for g in groupings if g != "all"]
    query, mode, chosen = _frame(con, month, schedule_mode, preset, filters)
    stages = ",\n    ".join(f"count_if(stage = '{s}') AS stage_{i}" for i, s in enumerate(STAGES))
    sets = ", ".join(["()", *(f"({c})" for c in columns)])
    keys = ", ".join(columns) or "NULL AS _none"
    which = (
        "CASE "
        + " ".join(f"WHEN grouping({c}) = 0 THEN '{c}'" for c in columns)
        + " ELSE 'all' END"
        if columns
        else "'all'"
    )
    sql = f"""SELECT *, {completion_light_sql(chosen)} AS group_light FROM (
        SELECT {which} AS grouping_name, {keys}, {_AGGREGATES.format(stages=stages)}
        FROM ({query.sql}) GROUP BY GROUPING SETS ({sets}))"""
    rows = _records(con.execute(sql, query.params))
    # The () grouping set always yields the totals row; over no projects its counts are NULL.
    total = {k: v or 0 for k, v in next(r for r in rows if r["grouping_name"] == "all").items()}
    result = {"month": str(month), "schedule_mode": mode, "preset": chosen.name}
    result |= _group_dict(total, month, mode)
    result["groups"] = {}
    for column in columns:
        entries = [
            {"key": row[column]} | _group_dict(row, month, mode)
            for row in rows
            if row["grouping_name"] == column
        ]
        entries.sort(key=lambda e: (e["completion_rate"] is None, -(e["completion_rate"] or 0)))
        result["groups"][column] = entries
    return result


def lights(
    con, month: Month, *, limit=None, preset=None, schedule_mode=None, filters=None
) -> pd.DataFrame:
    """Projects worst light first, each with the reason in words; `limit` keeps the worst n.

    Reasons are worded only for the rows kept, so a page showing the worst 200 of 100,000
    projects does not pay for the other 99,800 sentences.
    """
    check_month(month, available_months(con))
    query, _, chosen = _frame(con, month, schedule_mode, preset, filters)
    kept = Query(
        f"SELECT {DISPLAY_COLUMNS}, {_REASON_INPUTS} FROM ({query.sql}) "
        f"ORDER BY {WORST_FIRST} LIMIT $limit",
        query.params | {"limit": limit},  # LIMIT NULL keeps every row
    )
    worded = with_reasons(kept, chosen)
    return con.execute(
        f"SELECT * EXCLUDE ({_REASON_INPUTS}) FROM ({worded.sql}) ORDER BY {WORST_FIRST}",
        worded.params,
    ).df()


def snapshot_lights(con, month: Month, preset_name=None, schedule_mode=None) -> int:
    """Store the month's lights with the preset, thresholds and mode in force, replacing it."""
    query, _, chosen = _frame(con, month, schedule_mode, preset_name, None)
    query = with_reasons(query, chosen)
    params = query.params | {
        "snap_preset": chosen.name,
        "snap_thresholds": json.dumps(chosen.thresholds(), ensure_ascii=False, sort_keys=True),
    }
    con.execute(
        "DELETE FROM light_snapshots WHERE year = ? AND month = ?", [month.year, month.month]
    )
    con.execute(
        f"""INSERT INTO light_snapshots (project_id, year, month, preset, schedule_mode,
                thresholds, light, reason, completion_rate, lag_pp, computed_at)
            SELECT id, $year, $month, $snap_preset, $mode, $snap_thresholds, light, reason,
                completion_rate, lag_pp, current_timestamp FROM ({query.sql})""",
        params,
    )
    return con.execute(
        "SELECT count(*) FROM light_snapshots WHERE year = ? AND month = ?",
        [month.year, month.month],
    ).fetchone()[0]

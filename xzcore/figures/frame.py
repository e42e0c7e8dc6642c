"""The per-project figures for one month: the single query every metric, light and list reads.

Exactness: money stays DECIMAL. Every threshold test is cross-multiplied so no division (and no
float) decides a light: with E12 = 12 × expected cumulative investment (= plan × m in calendar
mode, 12 × cumulative target in plan mode) and C the year-to-date completed investment,
  lag_pp ≤ v   ⇔  100·(E12 − 12·C) ≤ v·12·plan
  C/S ≥ f      ⇔  12·C ≥ f·E12
Floats appear only in the columns meant for display (rates, lag in pp).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xzcore.period import Month
from xzcore.rules import LIGHT_NAMES, LIGHTS, Band, Preset, get_preset

# Columns a page may filter or group on; the only identifiers ever pasted into SQL from outside.
GROUP_COLUMNS = {
    "tier": "项目级别",
    "project_type": "项目类别",  # 产业项目 / 基础设施 / 社会民生 …: a register may carry both
    "category": "行业类别",
    "township": "镇街道",
    "unit": "责任单位",
    "leader": "联系区领导",
}
FILTER_COLUMNS = (*GROUP_COLUMNS, "light")
STAGES = ("签约", "开工", "在建", "竣工", "投运")
_STAGE_LIST = "[" + ", ".join(f"'{s}'" for s in STAGES) + "]"  # SQL literal of the constants


@dataclass(frozen=True)
class Query:
    sql: str
    params: dict


def filters_sql(filters: dict | None) -> tuple[str, str, dict]:
    """(condition on projects, condition on lights, params) for {"unit": [...], "light": [...]}.

    Empty or missing lists mean no filter. Values are always bound, never formatted in.
    """
    project_conds, light_conds, params = ["TRUE"], ["TRUE"], {}
    for column, values in (filters or {}).items():
        if column not in FILTER_COLUMNS:
            raise ValueError(f"不能按“{column}”筛选")
        if not values:
            continue
        name = f"f_{column}"
        params[name] = [str(v) for v in values]
        target = light_conds if column == "light" else project_conds
        target.append(f"list_contains(${name}, {'light' if column == 'light' else 'p.' + column})")
    return " AND ".join(project_conds), " AND ".join(light_conds), params


def filter_options(con) -> dict[str, list[str]]:
    """The values each filter offers: what the register holds, and the lights, red first."""
    options = {
        column: [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT {column} FROM projects WHERE {column} IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
        for column in ("tier", "township", "unit", "leader")  # constants, never user input
    }
    return options | {"light": list(reversed(LIGHTS))}


def _band_sql(preset: Preset, band: Band, param: str) -> str:
    if preset.measure == "lag_pp":
        return (
            f"100 * (e12 - 12 * completed) {band.op} CAST(${param} AS DECIMAL(18, 6)) * 12 * plan"
        )
    return f"12 * completed {band.op} CAST(${param} AS DECIMAL(18, 6)) * e12"


def _judged(preset: Preset) -> str:
    # With nothing expected yet (no plan, or a zero plan-mode target) the completion rule has
    # nothing to judge: such a project is green on completion.
    return "coalesce(plan, 0) > 0" if preset.measure == "lag_pp" else "coalesce(e12, 0) > 0"


def completion_light_sql(preset: Preset) -> str:
    """The completion rule as a CASE over plan, completed and e12 (a project's or a group's)."""
    return f"""CASE WHEN NOT ({_judged(preset)}) THEN 'green'
             WHEN {_band_sql(preset, preset.green, "green")} THEN 'green'
             WHEN {_band_sql(preset, preset.yellow, "yellow")} THEN 'yellow'
             ELSE 'red' END"""


def _node_rule(preset: Preset) -> tuple[str, str, str, str]:
    """(CTE, join, columns, light) of the optional node rule (rules.Preset.node_rule): each
    project's longest overdue node on $node_day (the earliest in the template among equals)
    and the light it gives. Neither node option on: constants, so the frame's figures stay
    as they were."""
    if not preset.reads_nodes:
        return "", "", "NULL::BIGINT AS node_days, NULL::VARCHAR AS node_name", "'green'"
    from xzcore.nodes import frame as nodes_frame
    from xzcore.nodes.model import OVERDUE

    nodes = nodes_frame.NODES.format(where="TRUE").replace(
        "$", "$node_"
    )  # its $day, $ym, $due_soon: no other '$' in it
    cte = f"""late_nodes AS (
    SELECT project_id, max(days) AS node_days,
        arg_max(name, days * 100000 - position) AS node_name
    FROM ({nodes}) WHERE state = '{OVERDUE}' GROUP BY project_id
), """
    join = "LEFT JOIN late_nodes ln ON ln.project_id = p.id"
    light = (
        """CASE WHEN node_days > $node_red THEN 'red'
             WHEN node_days >= $node_yellow THEN 'yellow' ELSE 'green' END"""
        if preset.node_rule
        else "'green'"  # read for the warning rule only
    )
    return cte, join, "ln.node_days, ln.node_name", light


def frame_query(
    month: Month,
    mode: str,
    preset: Preset,
    filters: dict | None = None,
    prefix: str = "",
    day: dt.date | None = None,
) -> Query:
    """SQL (with its bound parameters) for one row per project planned in month.year.

    `prefix` renames the parameters, so that frames of two months can share one statement.
    Reasons in words are added by `with_reasons`, only on the rows a caller keeps.
    `day`: the day the node rule judges nodes at (injected by tests); the month's end, and
    never after it.
    """
    project_cond, light_cond, params = filters_sql(filters)
    node_cte, node_join, node_columns, node_light = _node_rule(preset)
    start_rule = (
        "CASE WHEN start_overdue >= $start_red THEN 'red' "
        "WHEN start_overdue >= $start_yellow THEN 'yellow' ELSE 'green' END"
        if preset.start_rule
        else "'green'"
    )
    # Calendar mode needs no monthly targets: leaving their join out of the statement saves a
    # join and its planning on the hot path (measured at 10,000 projects).
    if mode == "plan":
        e12 = "coalesce(12 * t.target_cum, ap.plan * $month)"
        targets = (
            "LEFT JOIN monthly_targets t"
            " ON t.project_id = p.id AND t.year = $year AND t.month = $month"
        )
    else:
        e12, targets = "ap.plan * $month", ""
    sql = f"""
WITH {node_cte}latest AS (
    -- A stage as its place in STAGES (1 签约 … 5 投运) and a month × 8 + a code: integer max()
    -- and min() then find the latest stage reported and the first report of the year that said
    -- started (code 0: 是否开工 = 是; 1–4: a stage past 签约), cheaper than arg_max over text
    -- (measured: this is the hot path).
    SELECT project_id, arg_max(ytd, month) AS completed, max(month) AS reported_month,
        max(CAST(month AS INTEGER) * 8 + list_position({_STAGE_LIST}, stage)) AS last_stage,
        min(CAST(month AS INTEGER) * 8 + CASE WHEN started THEN 0
            ELSE nullif(list_position({_STAGE_LIST}, stage) - 1, 0) END) AS said
    FROM progress WHERE year = $year AND month <= $month GROUP BY project_id
), base AS (
    SELECT p.id, p.code, p.name, p.tier, p.project_type, p.category, p.township, p.unit,
        p.leader, p.owner, p.build_type, p.total_investment, p.planned_start, p.planned_completion,
        p.actual_start, p.actual_completion, p.lon, p.lat,
        CAST(ap.plan AS DECIMAL(38, 4)) AS plan,
        CAST(coalesce(l.completed, 0) AS DECIMAL(38, 4)) AS completed,
        l.reported_month,
        {e12} AS e12,
        $mode AS schedule_mode,  -- which schedule e12 follows (DESIGN.md section 2)
        -- Started (DESIGN.md section 2): an actual start date by the month's end, or 续建
        -- (continuing: started before this year, whatever its dates say), or a report of the
        -- year up to this month that said so.
        coalesce(p.actual_start <= $month_end, FALSE) AS dated_start,
        coalesce(p.build_type = '续建', FALSE) AS continuing,
        l.said // 8 AS said_month,
        dated_start OR continuing OR said_month IS NOT NULL AS started,
        -- due: planned to have started by now. A 续建 project was, before the year; without a
        -- planned start, a start is its own plan (so started ⇒ due there).
        continuing OR coalesce(p.planned_start <= $month_end, started) AS due,
        CASE WHEN NOT started AND p.planned_start <= $month_end
             THEN $ym - (year(p.planned_start) * 12 + month(p.planned_start) - 1) + 1
             ELSE 0 END AS start_overdue,
        CASE WHEN NOT coalesce(p.actual_completion <= $month_end, FALSE)
                  AND p.planned_completion <= $month_end
             THEN $ym - (year(p.planned_completion) * 12 + month(p.planned_completion) - 1) + 1
             ELSE 0 END AS completion_overdue,
        -- on time: 续建 always; a dated start within its planned month; a start known only
        -- from reports counts from the first month a report said so
        CASE WHEN continuing THEN TRUE
             WHEN dated_start
                THEN p.actual_start <= last_day(coalesce(p.planned_start, p.actual_start))
             WHEN said_month IS NOT NULL
                THEN coalesce($year * 12 + said_month - 1
                              <= year(p.planned_start) * 12 + month(p.planned_start) - 1, TRUE)
             ELSE FALSE END AS started_on_time,
        -- where the start comes from, in words (NULL: not started by this month)
        CASE WHEN dated_start THEN '实际开工日期 ' || CAST(p.actual_start AS VARCHAR)  -- ISO
             WHEN continuing THEN '续建项目（上年已开工）'
             WHEN said_month IS NOT NULL
                THEN CAST($year AS VARCHAR) || '年' || CAST(said_month AS VARCHAR) || '月月报：'
                     || CASE WHEN l.said % 8 = 0 THEN '是否开工 是'
                             ELSE '项目阶段 ' || {_STAGE_LIST}[l.said % 8 + 1] END
             END AS start_source,
        -- the stage last reported this year; without one, what the dates and the start say
        coalesce({_STAGE_LIST}[l.last_stage % 8], CASE
            WHEN p.actual_completion <= $month_end THEN '竣工'
            WHEN p.actual_start BETWEEN $month_start AND $month_end THEN '开工'
            WHEN dated_start OR continuing THEN '在建'
            WHEN said_month = $month THEN '开工'
            WHEN said_month IS NOT NULL THEN '在建'
            ELSE '签约' END) AS stage,
        {node_columns}
    FROM projects p
    JOIN annual_plans ap ON ap.project_id = p.id AND ap.year = $year
    LEFT JOIN latest l ON l.project_id = p.id
    {targets}
    {node_join}
    WHERE {project_cond}
), judged AS (
    SELECT *,
        CASE WHEN plan > 0 THEN CAST(completed / plan AS DOUBLE) END AS completion_rate,
        CASE WHEN plan > 0 THEN CAST(e12 / (12 * plan) AS DOUBLE) END AS schedule,
        CASE WHEN plan > 0 THEN CAST(100 * (e12 - 12 * completed) / (12 * plan) AS DOUBLE)
             END AS lag_pp,
        {completion_light_sql(preset)} AS completion_light,
        {start_rule} AS start_light,
        {node_light} AS node_light
    FROM base
)
SELECT *,  -- the worst of the rules wins
    CASE WHEN 'red' IN (completion_light, start_light, node_light) THEN 'red'
         WHEN 'yellow' IN (completion_light, start_light, node_light) THEN 'yellow'
         ELSE 'green' END AS light
FROM judged
WHERE {light_cond}
"""
    params.update(
        year=month.year,
        month=month.month,
        ym=month.index,
        month_end=month.end,
        month_start=month.end.replace(day=1),
        mode=mode,
        green=preset.green.value,
        yellow=preset.yellow.value,
    )
    if preset.start_rule:
        params.update(start_yellow=preset.start_yellow_months, start_red=preset.start_red_months)
    if preset.reads_nodes:
        judged_at = min(day or month.end, month.end)
        params.update(
            node_day=judged_at, node_ym=judged_at.year * 12 + judged_at.month - 1, node_due_soon=0
        )
    if preset.node_rule:
        params.update(node_yellow=preset.node_yellow_days, node_red=preset.node_red_days)
    if prefix:  # the SQL holds no other '$' than its parameters
        sql = sql.replace("$", f"${prefix}")
        params = {f"{prefix}{k}": v for k, v in params.items()}
    return Query(sql, params)


def _one_decimal(expr: str) -> str:
    # A cast to DECIMAL(18,1) words 66.666… as 66.7, and costs less than printf.
    return f"CAST(CAST({expr} AS DECIMAL(18, 1)) AS VARCHAR)"


def with_reasons(inner: Query, preset: Preset, order: str = "") -> Query:
    """Add the reason for each light, in words, to the rows of a query over a frame."""
    completion = f"""CASE WHEN NOT ({_judged(preset)}) THEN '本月无应完成投资，不考核完成率'
        ELSE '完成率' || {_one_decimal("completion_rate * 100")} || '%，时序进度'
            || {_one_decimal("schedule * 100")} || '%，'
            || CASE WHEN lag_pp > 0.05 THEN '落后' || {_one_decimal("lag_pp")} || '个百分点'
                    WHEN lag_pp < -0.05 THEN '超前' || {_one_decimal("-lag_pp")} || '个百分点'
                    ELSE '与时序进度持平' END
            || '：' || CASE completion_light WHEN 'green' THEN $text_green
                           WHEN 'yellow' THEN $text_yellow ELSE $text_red END
        END"""
    start = """'计划' || strftime(planned_start, '%Y-%m') || '开工，已逾期' || start_overdue
        || '个月未开工'"""
    # Each part is worded only where it decides the light: most projects need one sentence.
    decided = f"""CASE WHEN start_light <> light OR light = 'green' THEN {completion}
         WHEN completion_light <> light THEN {start}
         ELSE {completion} || '；' || {start} END"""
    if preset.node_rule:  # three rules: each one that gave the light says why, in this order
        node = "'节点“' || node_name || '”超期' || CAST(node_days AS VARCHAR) || '天'"
        decided = f"""CASE WHEN light = 'green' THEN {completion}
         ELSE concat_ws('；', CASE WHEN completion_light = light THEN {completion} END,
                        CASE WHEN start_light = light THEN {start} END,
                        CASE WHEN node_light = light THEN {node} END) END"""
    sql = f"""
SELECT *,
    {decided}
    || ' → ' || CASE light WHEN 'green' THEN $name_green WHEN 'yellow' THEN $name_yellow
                ELSE $name_red END AS reason
FROM ({inner.sql})
{order}
"""
    params = inner.params | {
        "text_green": preset.band_text("green"),
        "text_yellow": preset.band_text("yellow"),
        "text_red": preset.band_text("red"),
        "name_green": LIGHT_NAMES["green"],
        "name_yellow": LIGHT_NAMES["yellow"],
        "name_red": LIGHT_NAMES["red"],
    }
    return Query(sql, params)


def project_start(con, project_id: int, month: Month) -> dict | None:
    """Where one project stands on its start at the end of month: the frame's own columns, so the
    project page says exactly what the lights and the start rate counted. None when the project
    has no plan that year (it is in no frame)."""
    # The start columns depend on neither the preset nor the schedule mode.
    inner = frame_query(month, "calendar", get_preset(None))
    cursor = con.execute(
        f"""SELECT started, start_source, due, start_overdue, planned_start, build_type
            FROM ({inner.sql}) WHERE id = $project_id""",
        inner.params | {"project_id": project_id},
    )
    row = cursor.fetchone()
    return None if row is None else dict(zip([d[0] for d in cursor.description], row, strict=True))

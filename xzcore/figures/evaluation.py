"""红旗 (red-flag) and 预警/蜗牛 (warning) projects for a monthly or quarterly round.

Each listed project carries the rule(s) that picked it, in words, so the page can say why.
Both lists come from one statement: the month's frame once, the earlier months' red lights
as joins, and reasons worded only for the projects listed.
"""

from __future__ import annotations

from xzcore.figures import metrics
from xzcore.figures.frame import Query, frame_query, with_reasons
from xzcore.period import Month
from xzcore.rules import EvaluationRules, Preset
from xzcore.store import settings


def round_of(month: Month, quarterly: bool) -> dict:
    """A quarterly round is judged as of the end of the last quarter wholly reported."""
    as_of = month.last_complete_quarter_end() if quarterly else month
    label = (
        f"{as_of.year}年第{as_of.quarter}季度" if quarterly else f"{as_of.year}年{as_of.month}月"
    )
    return {"kind": "quarter" if quarterly else "month", "as_of": as_of, "label": label}


# What the lists, their order and their reasons (frame.with_reasons) read of the month's frame.
_USED = """id, code, name, unit, township, plan, completed, e12, completion_rate, schedule, lag_pp,
    light, completion_light, start_light, start_overdue, planned_start, completion_overdue,
    started_on_time, node_light, node_days, node_name"""


def _lists_query(
    available: set[Month], as_of: Month, rules: EvaluationRules, mode: str, preset
) -> Query:
    current = frame_query(as_of, mode, preset, prefix="c_")
    # Materialized once, so only the columns the lists and their reasons read (text columns
    # such as start_source cost time to materialize and are never shown here).
    ctes = [f"cur AS MATERIALIZED (SELECT {_USED} FROM ({current.sql}))"]
    params = dict(current.params)
    # "Red n months running": red now and in each of the n − 1 months before, when reported.
    running = ["light = 'red'"]
    for back in range(1, rules.warning_red_months):
        earlier = as_of.shift(-back)
        if earlier not in available:
            running.append("FALSE")
            continue
        before = frame_query(earlier, mode, preset, {"light": ["red"]}, prefix=f"p{back}_")
        ctes.append(f"red_{back} AS (SELECT id FROM ({before.sql}))")
        params |= before.params
        running.append(f"id IN (SELECT id FROM red_{back})")
    # The optional rule 节点超期 ≥ N 天 (rules.Preset.node_warning): the frame's longest overdue
    # node at the month's end.
    node = ""
    if preset.node_warning:
        node = ",\n            CASE WHEN node_days >= $node_warning THEN 'node_overdue' END"
        params["node_warning"] = preset.node_warning_days
    params |= {
        "lead": rules.red_flag_lead_pp,
        "top_n": rules.red_flag_top_n,
        "start_slip": rules.warning_start_slip_months,
        "completion_slip": rules.warning_completion_slip_months,
    }
    sql = f"""
WITH {", ".join(ctes)},
flags AS (
    SELECT 'red_flag' AS list, *, []::VARCHAR[] AS rules FROM cur
    WHERE light = 'green' AND started_on_time AND plan > 0
      AND 100 * (e12 - 12 * completed) <= -CAST($lead AS DECIMAL(18, 6)) * 12 * plan
    -- QUALIFY, not ORDER BY … LIMIT: DuckDB 2.0.0 drops a CTE's LIMIT under this UNION ALL
    QUALIFY row_number() OVER (ORDER BY lag_pp, id) <= $top_n
), warns AS (
    SELECT * FROM (
        SELECT 'warning' AS list, *, list_filter([
            CASE WHEN {" AND ".join(running)} THEN 'red_running' END,
            CASE WHEN start_overdue >= $start_slip THEN 'start_slip' END,
            CASE WHEN completion_overdue >= $completion_slip THEN 'completion_slip' END{node}
        ], lambda r: r IS NOT NULL) AS rules
        FROM cur)
    WHERE len(rules) > 0
)
SELECT * FROM flags UNION ALL SELECT * FROM warns
"""
    return Query(sql, params)


_NODE = ("node_days", "node_name")


def _rule_text(texts: dict, rule: str, row: dict) -> str:
    """A rule in words; the node rule says which node and by how many days."""
    if rule == "node_overdue":
        return f"{texts[rule]}：节点“{row['node_name']}”超期{int(row['node_days'])}天"
    return texts[rule]


def evaluate(
    con, month: Month, *, quarterly=False, rules=None, schedule_mode=None, preset=None
) -> dict:
    rules = rules or EvaluationRules()
    this_round = round_of(month, quarterly)
    available = set(metrics.available_months(con))
    as_of = metrics.check_month(this_round["as_of"], available)
    mode = settings.schedule_mode(con, schedule_mode)
    # a name (with the admin's stored thresholds), or a Preset itself (unsaved thresholds)
    chosen = preset if isinstance(preset, Preset) else settings.preset(con, preset)
    worded = with_reasons(_lists_query(available, as_of, rules, mode, chosen), chosen)
    both = con.execute(
        f"""SELECT list, rules, {metrics.DISPLAY_COLUMNS}, reason,
                start_overdue, completion_overdue, node_days, node_name FROM ({worded.sql})
            ORDER BY list, CASE list WHEN 'red_flag' THEN lag_pp ELSE -lag_pp END NULLS LAST,
                id""",
        worded.params,
    ).df()
    texts = rules.warning_texts()
    if chosen.node_warning:
        texts["node_overdue"] = chosen.node_warning_text()
    red_flags = both[both.list == "red_flag"].drop(columns=["list", "rules", *_NODE])
    red_flags = red_flags.assign(rule=rules.red_flag_text()).reset_index(drop=True)
    warnings = both[both.list == "warning"].drop(columns="list").reset_index(drop=True)
    warnings["rule"] = [
        "；".join(_rule_text(texts, r, row) for r in row["rules"])
        for row in warnings.to_dict("records")
    ]
    warnings = warnings.drop(columns=list(_NODE))
    return {
        "round": this_round["kind"],
        "as_of": str(as_of),
        "label": this_round["label"],
        "preset": chosen.name,
        "schedule_mode": mode,
        "red_flag_rule": rules.red_flag_text(),
        "warning_rules": texts,
        "red_flags": red_flags,
        "warnings": warnings,
    }

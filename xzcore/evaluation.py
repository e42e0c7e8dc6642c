"""红旗 (red-flag) and 预警/蜗牛 (warning) projects for a monthly or quarterly round.

Each listed project carries the rule(s) that picked it, in words, so the page can say why.
"""

from __future__ import annotations

from xzcore import metrics, settings
from xzcore.frame import frame_query
from xzcore.period import Month
from xzcore.rules import EvaluationRules

_COLUMNS = """id, code, name, unit, township, leader, tier,
    CAST(plan AS DOUBLE) AS plan_wan, CAST(completed AS DOUBLE) AS completed_wan,
    completion_rate, schedule, lag_pp, light, reason, start_overdue, completion_overdue"""


def round_of(month: Month, quarterly: bool) -> dict:
    """A quarterly round is judged as of the end of the last quarter wholly reported."""
    as_of = month.last_complete_quarter_end() if quarterly else month
    label = (
        f"{as_of.year}年第{as_of.quarter}季度" if quarterly else f"{as_of.year}年{as_of.month}月"
    )
    return {"kind": "quarter" if quarterly else "month", "as_of": as_of, "label": label}


def _red_ids(con, month: Month, mode: str, preset) -> list[int]:
    query = frame_query(month, mode, preset, {"light": ["red"]})
    return [row[0] for row in con.execute(f"SELECT id FROM ({query.sql})", query.params).fetchall()]


def _red_running(con, as_of: Month, months: int, mode: str, preset) -> list[int]:
    """Projects red in each of the months before as_of that the rule looks back on."""
    available = set(metrics.available_months(con))
    ids: set[int] | None = None
    for back in range(1, months):
        earlier = as_of.shift(-back)
        red = set(_red_ids(con, earlier, mode, preset)) if earlier in available else set()
        ids = red if ids is None else ids & red
    return sorted(ids or ())


def evaluate(
    con, month: Month, *, quarterly=False, rules=None, schedule_mode=None, preset=None
) -> dict:
    rules = rules or EvaluationRules()
    this_round = round_of(month, quarterly)
    as_of = metrics.check_month(con, this_round["as_of"])
    mode = settings.schedule_mode(con, schedule_mode)
    chosen = settings.preset(con, preset)
    query = frame_query(as_of, mode, chosen)
    red_flags = con.execute(
        f"""SELECT {_COLUMNS} FROM ({query.sql})
            WHERE light = 'green' AND started_on_time AND plan > 0
              AND 100 * (e12 - 12 * completed) <= -CAST($lead AS DECIMAL(18, 6)) * 12 * plan
            ORDER BY lag_pp, id LIMIT $top_n""",
        query.params | {"lead": rules.red_flag_lead_pp, "top_n": rules.red_flag_top_n},
    ).df()
    red_flags["rule"] = rules.red_flag_text()
    warnings = con.execute(
        f"""SELECT * FROM (
                SELECT {_COLUMNS}, list_filter([
                    CASE WHEN light = 'red' AND list_contains($prev_red, id) THEN 'red_running' END,
                    CASE WHEN start_overdue >= $start_slip THEN 'start_slip' END,
                    CASE WHEN completion_overdue >= $completion_slip THEN 'completion_slip' END
                ], lambda r: r IS NOT NULL) AS rules
                FROM ({query.sql}))
            WHERE len(rules) > 0 ORDER BY lag_pp DESC NULLS LAST, id""",
        query.params
        | {
            "prev_red": _red_running(con, as_of, rules.warning_red_months, mode, chosen),
            "start_slip": rules.warning_start_slip_months,
            "completion_slip": rules.warning_completion_slip_months,
        },
    ).df()
    texts = rules.warning_texts()
    warnings["rule"] = ["；".join(texts[r] for r in picked) for picked in warnings.get("rules", [])]
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

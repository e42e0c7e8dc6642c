"""The node states across all projects at a month's end: what is overdue, what falls due next
month, how many of each state; and the optional light rule on overdue nodes."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xzcore.nodes import frame
from xzcore.nodes.model import DUE_SOON, OVERDUE, PENDING
from xzcore.period import Month
from xzcore.rules import Preset

COLUMNS = ("project_id", "project", "code", "unit", "name", "planned", "actual", "state", "days",
           "source", "note")  # fmt: skip


def _day(month: Month, day: dt.date | None) -> dt.date:
    """The day a month is judged at: its end, or an earlier day while it is not over."""
    return min(day or month.end, month.end)


def overdue(con, month: Month, due_soon: int = 15, day: dt.date | None = None) -> pd.DataFrame:
    """Nodes not done at the month's end whose planned date is before it, longest overdue
    first: project, unit (the node's, else the project's), node, planned, days overdue, and
    whether it fell due in the month itself (new)."""
    sql, bound = frame.query(_day(month, day), due_soon)
    first = dt.date(month.year, month.month, 1)
    table = con.execute(
        f"""SELECT {", ".join(COLUMNS)}, planned >= $first AS new FROM ({sql})
            WHERE state = '{OVERDUE}' ORDER BY days DESC, project_id, position""",
        bound | {"first": first},
    ).df()
    return table


def due_next(con, month: Month, due_soon: int = 15, day: dt.date | None = None) -> pd.DataFrame:
    """Nodes not done at the month's end that fall due in the next month, soonest first;
    days: from the month's end to the planned date."""
    sql, bound = frame.query(_day(month, day), due_soon)
    after = month.shift(1)
    shown = ", ".join(
        c if c != "days" else "date_diff('day', $day, planned) AS days" for c in COLUMNS
    )
    return con.execute(
        f"""SELECT {shown} FROM ({sql})
            WHERE state IN ('{DUE_SOON}', '{PENDING}') AND planned BETWEEN $start AND $end
            ORDER BY planned, project_id, position""",
        bound | {"start": dt.date(after.year, after.month, 1), "end": after.end},
    ).df()


def counts(con, day: dt.date, due_soon: int = 15) -> dict[str, int]:
    """How many nodes are in each state on the day."""
    sql, bound = frame.query(day, due_soon)
    rows = con.execute(f"SELECT state, count(*) FROM ({sql}) GROUP BY state", bound).fetchall()
    return {state: int(n) for state, n in rows}


def worst_overdue(con, day: dt.date) -> pd.DataFrame:
    """Per project with an overdue node on the day: the most days overdue and that node (the
    first in the template among equals, as xzcore.figures.frame's node rule picks it)."""
    sql, bound = frame.query(day, 0)
    return con.execute(
        f"""SELECT project_id, max(days) AS days,
                arg_max(name, days * 100000 - position) AS node
            FROM ({sql}) WHERE state = '{OVERDUE}' GROUP BY project_id ORDER BY project_id""",
        bound,
    ).df()


def node_light(days: int | None, preset: Preset) -> str:
    """The light an overdue node gives under the preset's node rule: none overdue (or the rule
    off) green; overdue at least `node_yellow_days` yellow; more than `node_red_days` red."""
    if not preset.node_rule or days is None or days < preset.node_yellow_days:
        return "green"
    return "red" if days > preset.node_red_days else "yellow"


def node_lights(con, day: dt.date, preset: Preset) -> pd.DataFrame:
    """The node rule's light and reason for each project with an overdue node (the rule off:
    none)."""
    worst = worst_overdue(con, day)
    if not preset.node_rule or worst.empty:
        return worst.assign(light=pd.Series(dtype=object), reason=pd.Series(dtype=object))
    worst["light"] = [node_light(int(d), preset) for d in worst["days"]]
    worst["reason"] = [f"节点“{n}”超期{int(d)}天" for n, d in zip(worst["node"], worst["days"],
                                                                  strict=True)]  # fmt: skip
    return worst[worst["light"] != "green"].reset_index(drop=True)


def warnings(con, month: Month, min_days: int = 60) -> pd.DataFrame:
    """The optional warning rule 节点超期 ≥ min_days 天: projects with a node overdue that long
    at the month's end, saying which node."""
    worst = worst_overdue(con, month.end)
    kept = worst[worst["days"] >= min_days].reset_index(drop=True)
    kept["reason"] = [f"节点超期{min_days}天及以上：“{n}”超期{int(d)}天"
                      for n, d in zip(kept["node"], kept["days"], strict=True)]  # fmt: skip
    return kept


NO_UNIT = "（未填单位）"


def by_unit(table: pd.DataFrame) -> list[dict]:
    """Overdue nodes (as `overdue` lists them) counted by responsible unit, the worst first: the
    most overdue nodes, then the longest overdue, then the unit's name. new: how many fell
    due in the month itself; longest: the most days overdue and that node's project and name
    (the first listed among equals, as `overdue` orders them)."""
    units: dict[str, dict] = {}
    for row in table.itertuples():
        unit = row.unit if isinstance(row.unit, str) and row.unit else NO_UNIT
        entry = units.setdefault(
            unit,
            {"unit": unit, "overdue": 0, "new": 0, "longest": int(row.days),
             "project": row.project, "node": row.name},
        )  # fmt: skip
        entry["overdue"] += 1
        entry["new"] += bool(row.new)
        if int(row.days) > entry["longest"]:
            entry |= {"longest": int(row.days), "project": row.project, "node": row.name}
    return sorted(units.values(), key=lambda u: (-u["overdue"], -u["longest"], u["unit"]))

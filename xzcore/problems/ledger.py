"""Reading the ledger (问题台账): the problems with their colours, filtered and ordered overdue
first; one problem's history; counts and 办结率 by unit, type and leader; the figures of a
month for the bulletin; what a user has on their plate (我的)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xzcore.display import tables
from xzcore.ingest.values import fold
from xzcore.period import Month
from xzcore.problems import store
from xzcore.problems.model import BLUE, OPEN, RED, YELLOW, colours
from xzcore.store.roles import User

NOT_ASSIGNED = "（未交办）"
NO_LEADER = "（未定）"
GROUPS = {"lead_unit": "主办单位", "category": "问题类型", "leader": "协调区领导"}
_RANK = {RED: 0, YELLOW: 1, BLUE: 2}

_SQL = """
SELECT q.id, q.project_id, p.name AS project, p.code AS project_code, p.unit AS project_unit,
       q.source, q.category, q.description, q.request, q.lead_unit, q.support_units,
       coalesce(q.leader, p.leader) AS leader, q.raised_on, q.due_on, q.state, q.closure,
       q.created_by, q.created_at, q.assigned_at, q.last_note_at, q.returned_at, q.closed_at,
       q.origin_year, q.origin_month, q.batch_id
FROM problems q LEFT JOIN projects p ON p.id = q.project_id
ORDER BY q.id
"""


def version(con) -> str:
    """A token that changes whenever a problem or the thresholds change (the pages' cache key
    beside db.data_version: a note does not make every figure of the dashboard stale)."""
    row = con.execute(
        "SELECT (SELECT count(*) FROM problem_events), (SELECT coalesce(max(id), 0)"
        " FROM problem_events),"
        # a text dismissed again after it changed replaces its row: the count stays
        " (SELECT count(*) || '/' || coalesce(sum(hash(project_id, year, month, text)), 0)"
        " FROM problem_dismissals),"
        " (SELECT string_agg(key || '=' || value, ';' ORDER BY key) FROM problem_settings),"
        " (SELECT count(*) FROM problems),"
        # an undone import takes its problems and events away: the counts above return to
        # what they were before it, the batches' do not
        " (SELECT count(*) || '/' || count(undone_at) FROM problem_batches)"
    ).fetchone()
    return "-".join(str(v) for v in row)


def ledger(con, today: dt.date, **filters) -> pd.DataFrame:
    """Every problem with its colour and why, overdue first (red, yellow, blue, then the rest by
    deadline; closed last). Filters (each a value or a list of values; None: all): lead_unit,
    leader, category, state, colour, project_id, source, unit (主办 or 协办)."""
    # None, not NaN, where a problem has no unit, leader, project …: the forms, cards and the
    # command line take `row["lead_unit"] or …` (NaN would fill 交办's 主办单位 with "nan")
    read = tables.nulls_as_none(con.execute(_SQL).df())
    table = colours(read, today, store.thresholds(con))
    table["open"] = table["state"].isin(OPEN)
    table = filtered(table, filters)
    table["_rank"] = table["colour"].map(_RANK).fillna(3) + (~table["open"]) * 10
    ordered = table.sort_values(  # no deadline, or not overdue: after those that have one
        ["_rank", "overdue_days", "due_on", "id"],
        ascending=[True, False, True, True],
        na_position="last",
    )
    return ordered.drop(columns=["_rank"]).reset_index(drop=True)


def filtered(table: pd.DataFrame, filters: dict) -> pd.DataFrame:
    """The rows whose column is one of the values given (see ledger); an empty choice keeps all."""
    for column, wanted in filters.items():
        if wanted is None or (isinstance(wanted, list | tuple | set) and not wanted):
            continue
        values = list(wanted) if isinstance(wanted, list | tuple | set) else [wanted]
        if column == "unit":  # the units that answer for it: 主办 or 协办, compared folded
            wanted = {fold(v) for v in values}
            pairs = zip(table["lead_unit"], table["support_units"], strict=True)
            # a Series, not a list: an empty list would pick no columns instead of no rows
            mask = [_answers([lead, *support], wanted) for lead, support in pairs]
            table = table[pd.Series(mask, index=table.index, dtype=bool)]
        elif column in table:
            table = table[table[column].isin(values)]
        else:
            raise KeyError(column)
    return table


def _answers(units: list, wanted: set[str]) -> bool:
    return any(fold(u) in wanted for u in units if isinstance(u, str))


def problem(con, problem_id: int, today: dt.date) -> dict | None:
    """One problem as the ledger shows it (with its colour), or None."""
    found = ledger(con, today, id=int(problem_id))
    return None if found.empty else found.iloc[0].to_dict()


def history(con, problem_id: int) -> pd.DataFrame:
    """Its steps oldest first: at, kind, who (display name), role, text, state after.
    A leader's 批示 are among them (kind 'instruct'); the page shows them apart."""
    return con.execute(
        'SELECT "at", kind, coalesce(display_name, user_name) AS who, role, text, state'
        ' FROM problem_events WHERE problem_id = ? ORDER BY "at", id',
        [int(problem_id)],
    ).df()


def counts(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per group (lead_unit, category or leader) of a ledger: raised, closed, 办结率 (closed ÷
    raised, None for none), open, overdue (red) and the average days from raising to 销号."""
    # a narrow frame of what is counted: assign() would copy the ledger's 30 columns each time
    keyed = pd.DataFrame(
        {
            "key": table[by].fillna(NOT_ASSIGNED if by == "lead_unit" else NO_LEADER),
            "id": table["id"],
            "closed": table["state"].eq("已办结"),
            "open": table["open"],
            "overdue": table["colour"].eq(RED),
            "days": (
                table["closed_at"].dt.normalize() - pd.to_datetime(table["raised_on"])
            ).dt.days,
        }
    )
    grouped = keyed.groupby("key", sort=True).agg(
        raised=("id", "size"),
        closed=("closed", "sum"),
        open=("open", "sum"),
        overdue=("overdue", "sum"),
        days_to_close=("days", "mean"),
    )
    grouped["rate"] = grouped["closed"] / grouped["raised"]
    return grouped.reset_index().rename(columns={"key": by})


_COUNTED = ["id", "state", "open", "colour", "closed_at", "raised_on"]


def totals(table: pd.DataFrame) -> dict:
    """The whole ledger's figures, as counts gives them for one group."""
    whole = counts(pd.DataFrame({"_all": "全部"}, index=table.index).join(table[_COUNTED]), "_all")
    if whole.empty:
        return {"raised": 0, "closed": 0, "open": 0, "overdue": 0, "rate": None,
                "days_to_close": None}  # fmt: skip
    row = whole.iloc[0].to_dict()
    return {k: (None if pd.isna(v) else v) for k, v in row.items() if k != "_all"}


# Open past its deadline at the end of a month (as it stood then: closed later still counts);
# a problem on hold is not chased. Bound: $end.
_OVERDUE_AT = """raised_on <= $end AND due_on < $end
                 AND (closed_at IS NULL OR closed_at::DATE > $end) AND state <> '暂缓'"""


def month_figures(con, month: Month) -> dict:
    """What the bulletin says of problems in a month: raised and closed in the month; raised
    and closed by its end and the 办结率 of those; open past their deadline at its end."""
    end = month.end
    start = dt.date(month.year, month.month, 1)
    row = con.execute(
        f"""SELECT count(*) FILTER (WHERE raised_on BETWEEN $start AND $end),
                  count(*) FILTER (WHERE closed_at::DATE BETWEEN $start AND $end),
                  count(*) FILTER (WHERE raised_on <= $end),
                  count(*) FILTER (WHERE closed_at::DATE <= $end),
                  count(*) FILTER (WHERE {_OVERDUE_AT})
           FROM problems""",
        {"start": start, "end": end},
    ).fetchone()
    raised, closed, raised_to, closed_to, overdue = (int(v) for v in row)
    return {
        "month": str(month),
        "raised": raised,
        "closed": closed,
        "raised_to_date": raised_to,
        "closed_to_date": closed_to,
        "rate": closed_to / raised_to if raised_to else None,
        "overdue": overdue,
    }


def overdue_at(con, month: Month) -> pd.DataFrame:
    """The problems month_figures counts as 逾期未办结 at the month's end, longest overdue
    first: id, project, category, description, lead_unit, leader, due_on, days (overdue then)."""
    return con.execute(
        f"""SELECT q.id, p.name AS project, q.category, q.description, q.lead_unit,
                   coalesce(q.leader, p.leader) AS leader, q.due_on,
                   date_diff('day', q.due_on, $end::DATE) AS days
            FROM (SELECT * FROM problems WHERE {_OVERDUE_AT}) q
            LEFT JOIN projects p ON p.id = q.project_id
            ORDER BY days DESC, q.id""",
        {"end": month.end},
    ).df()


def sentence(figures: dict) -> str:
    """The bulletin's sentence: 本月收集问题3个，办结2个；累计收集12个，办结8个，办结率66.7%；
    逾期未办结1个。"""
    if not figures["raised_to_date"]:
        return "截至本月末尚未收集协调问题。"
    return (
        f"本月收集问题{figures['raised']}个，办结{figures['closed']}个；"
        f"累计收集{figures['raised_to_date']}个，办结{figures['closed_to_date']}个，"
        f"办结率{figures['rate'] * 100:.1f}%；逾期未办结{figures['overdue']}个。"
    )


def mine(con, user: User, today: dt.date) -> pd.DataFrame:
    """The open problems on this user's plate, overdue first: a unit's staff, those its units
    lead or support; a leader, those he coordinates (协调区领导 = his display name, as projects
    name their 联系区领导 by title); the office and admin, those awaiting them (待交办,
    申请办结) and every red one."""
    table = ledger(con, today, state=[s for s in OPEN if s != "暂缓"])
    if user.role == "staff":
        return filtered(table, {"unit": list(user.units)})
    if user.role == "viewer":
        return table[table["leader"] == user.display_name]
    waiting = table["state"].isin(["待交办", "申请办结"]) | table["colour"].eq(RED)
    return table[waiting]


def projects(con) -> pd.DataFrame:
    """The projects a problem may be tied to, with the unit and leader a new one starts with."""
    # None, not NaN, for a project without 责任单位: 登记问题 hands the problem to
    # `unit or ""`, which with NaN was a unit named "nan"
    return tables.nulls_as_none(
        con.execute(
            "SELECT id, code, name, unit, leader FROM projects ORDER BY unit NULLS LAST, name"
        ).df()
    )

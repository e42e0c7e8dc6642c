"""Every change of a problem: create, 交办, progress notes, 申请办结, the office's 督核 (销号 or
退回), 暂缓 and 恢复, and a leader's 批示.

Each step checks who may take it here, in the library (a page only hides buttons): the role,
and for a unit's steps that the user's units include the problem's 主办单位. A refusal is
written to the audit log. Each step is one transaction: the problem's row, an event in its
history and an audit entry, or nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xzcore.errors import BadArgument
from xzcore.ingest.values import clean, fold, form_date
from xzcore.problems.model import CATEGORIES, CLOSURES, OPEN, SOURCES, STATES, Thresholds
from xzcore.store import audit, day_settings, db
from xzcore.store.roles import User, deny

OFFICE = frozenset({"office", "admin"})
UNIT = frozenset({"staff", "admin"})  # staff only for the problem's 主办单位


@dataclass(frozen=True)
class Step:
    """A step a user may take: its name in a refusal, its audit action, who may take it and
    from which states, and the state it leads to (None: it stays)."""

    name: str
    action: str
    roles: frozenset
    states: tuple
    to: str | None


STEPS = {
    "assign": Step("交办问题", "problem_assign", OFFICE, ("待交办",), "已交办"),
    # the office writes down what it learnt at a 现场办公 too; that is progress as well
    "note": Step("填写办理进展", "problem_note", UNIT | OFFICE, ("已交办", "办理中"), "办理中"),
    "request": Step("申请办结", "problem_request", UNIT, ("已交办", "办理中"), "申请办结"),
    "close": Step("销号", "problem_close", OFFICE, ("申请办结",), "已办结"),
    "return": Step("退回", "problem_return", OFFICE, ("申请办结",), "办理中"),
    "hold": Step("暂缓", "problem_hold", OFFICE, OPEN[:-1], "暂缓"),
    "resume": Step("恢复办理", "problem_resume", OFFICE, ("暂缓",), None),
    "instruct": Step("领导批示", "problem_instruct", frozenset({"viewer", "admin"}),
                     STATES, None),
}  # fmt: skip
CREATE = "新建问题"


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or dt.datetime.now().replace(microsecond=0)


def _text(value, what: str, *, required: bool = True) -> str | None:
    found = clean(value) or None
    if required and found is None:
        raise BadArgument(f"请填写{what}")
    return found


def _units(values) -> list[str]:
    if isinstance(values, str):
        values = values.replace("，", "、").replace(",", "、").split("、")
    return [u for u in (clean(v) for v in values or ()) if u]


def holds(user: User | None, unit: str | None) -> bool:
    """Whether the user answers for this unit (a staff member's units, compared as names are
    compared on upload: full-width and spaces folded)."""
    return isinstance(user, User) and bool(unit) and fold(unit) in {fold(u) for u in user.units}


def may(user: User | None, step: str, problem: dict) -> bool:
    """Whether the user may take the step on the problem as it stands (for the pages' buttons)."""
    kind = STEPS[step]
    return _refusal(user, kind, problem) is None and problem["state"] in kind.states


def _refusal(user: User | None, step: Step, problem: dict) -> str | None:
    """Why the user may not take this step on the problem at all (role, or another unit's)."""
    if not isinstance(user, User):
        return f"请先登录：未登录不能{step.name}"
    if user.role not in step.roles:
        return f"{user.label}无权{step.name}"
    if user.role == "staff" and not holds(user, problem["lead_unit"]):
        mine = "、".join(user.units) or "无"
        return (
            f"问题 {problem['id']} 的主办单位是{problem['lead_unit'] or '（未交办）'}，"
            f"不属于您负责的单位（{mine}），不能{step.name}"
        )
    return None


def _problem(con, problem_id: int) -> dict:
    row = con.execute(
        "SELECT id, state, lead_unit, held_from, due_on FROM problems WHERE id = ?",
        [int(problem_id)],
    ).fetchone()
    if row is None:
        raise BadArgument(f"没有编号为 {problem_id} 的问题")
    return dict(zip(("id", "state", "lead_unit", "held_from", "due_on"), row, strict=True))


def _check(con, user, step: Step, problem: dict) -> None:
    """A refusal of the user is audited (越权被拒); a step the problem's state does not allow
    (a page opened before someone else closed it) is only refused."""
    message = _refusal(user, step, problem)
    if message is not None:
        raise deny(con, user, step.name, message, {"id": problem["id"]})
    if problem["state"] not in step.states:
        raise BadArgument(f"问题 {problem['id']} 现为“{problem['state']}”，不能{step.name}")


def _event(con, user: User, problem_id: int, kind: str, at, text, state: str) -> None:
    con.execute(
        'INSERT INTO problem_events (problem_id, kind, "at", user_name, display_name, role,'
        " text, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [problem_id, kind, at, user.username, user.display_name, user.role, text, state],
    )


def create(
    con,
    user: User,
    *,
    description: str,
    category: str,
    source: str,
    project_id: int | None = None,
    request: str | None = None,
    lead_unit: str | None = None,
    support_units=(),
    leader: str | None = None,
    raised_on=None,
    due_on=None,
    origin: tuple[int, int] | None = None,
    at: dt.datetime | None = None,
) -> int:
    """A new problem, 待交办 (office and admin). origin: the (year, month) of the monthly report
    whose 存在问题 it was opened from, so that the proposal is not offered again."""
    if not isinstance(user, User) or user.role not in OFFICE:
        who = user.label if isinstance(user, User) else "未登录"
        raise deny(con, user, CREATE, f"{who}无权{CREATE}")
    at = _now(at)
    fields = checked(con, description, category, source, project_id, request, lead_unit,
                     support_units, leader, raised_on or at.date(), due_on)  # fmt: skip
    with db.transaction(con):
        problem_id = add(con, user, fields, at=at, origin=origin)
        audit.record(
            con, user, "problem_create",
            {"id": problem_id, "来源": fields["source"], "类型": fields["category"],
             "描述": fields["description"]},
            at=at,
        )  # fmt: skip
    return problem_id


def checked(con, description, category, source, project_id, request, lead_unit, support_units,
            leader, raised_on, due_on, *, projects: set[int] | None = None) -> dict:  # fmt: skip
    """A problem's fields, cleaned and checked: a BadArgument names the first one wrong.
    projects: the ids known to exist (an import checks thousands without a query each)."""
    if category not in CATEGORIES:
        raise BadArgument(f"问题类型应为{'、'.join(CATEGORIES)}之一，收到“{category}”")
    if source not in SOURCES:
        raise BadArgument(f"问题来源应为{'、'.join(SOURCES)}之一，收到“{source}”")
    if (
        project_id is not None
        and int(project_id) not in (projects or ())
        and not con.execute("SELECT 1 FROM projects WHERE id = ?", [int(project_id)]).fetchone()
    ):
        raise BadArgument(f"没有编号为 {project_id} 的项目")
    raised = form_date(raised_on, "提出日期")
    due = form_date(due_on, "办结时限", required=False)
    if due is not None and due < raised:
        raise BadArgument(f"办结时限 {due} 早于提出日期 {raised}")
    return {
        "project_id": None if project_id is None else int(project_id),
        "source": source,
        "category": category,
        "description": _text(description, "问题描述"),
        "request": _text(request, "需协调事项", required=False),
        "lead_unit": _text(lead_unit, "主办单位", required=False),
        "support_units": _units(support_units),
        "leader": _text(leader, "协调区领导", required=False),
        "raised_on": raised,
        "due_on": due,
    }


def add(con, user: User, fields: dict, *, at: dt.datetime, origin=None) -> int:
    """The row, 待交办, and its first event, inside the caller's transaction (which audits)."""
    year, month = origin or (None, None)
    problem_id = db.next_ids(con, "problem_id_seq", 1)[0]
    con.execute(
        f"INSERT INTO problems (id, {', '.join(fields)}, state, origin_year, origin_month,"
        f" created_by, created_at) VALUES ({', '.join('?' * (len(fields) + 6))})",
        [problem_id, *fields.values(), "待交办", year, month, user.username, at],
    )
    _event(con, user, problem_id, "create", at, fields["description"], "待交办")
    return problem_id


def assign(
    con, user: User, problem_id: int, *, lead_unit: str, due_on, support_units=(),
    leader: str | None = None, text: str | None = None, at: dt.datetime | None = None,
) -> None:  # fmt: skip
    """交办: hand the problem to its 主办单位 with a deadline (办结时限)."""
    problem = _problem(con, problem_id)
    _check(con, user, STEPS["assign"], problem)
    at = _now(at)
    unit = _text(lead_unit, "主办单位")
    due = form_date(due_on, "办结时限")
    raised = con.execute("SELECT raised_on FROM problems WHERE id = ?", [problem["id"]]).fetchone()
    if due < raised[0]:
        raise BadArgument(f"办结时限 {due} 早于提出日期 {raised[0]}")
    with db.transaction(con):
        con.execute(
            "UPDATE problems SET state = '已交办', lead_unit = ?, due_on = ?, assigned_at = ?,"
            " support_units = CASE WHEN len(?::VARCHAR[]) > 0 THEN ?::VARCHAR[]"
            " ELSE support_units END, leader = coalesce(?, leader) WHERE id = ?",
            [unit, due, at, _units(support_units), _units(support_units),
             _text(leader, "协调区领导", required=False), problem["id"]],
        )  # fmt: skip
        said = f"交办{unit}，办结时限{due:%Y-%m-%d}" + (f"。{clean(text)}" if clean(text) else "")
        _event(con, user, problem["id"], "assign", at, said, "已交办")
        audit.record(con, user, "problem_assign",
                     {"id": problem["id"], "主办单位": unit, "办结时限": due}, at=at)  # fmt: skip


def _step(con, user, problem_id, step: str, text, *, required: str | None, at, sets: str = "",
          params=(), to: str | None = None) -> dict:  # fmt: skip
    """The common shape of a step: check, then the row, an event and an audit entry at once."""
    problem = _problem(con, problem_id)
    kind = STEPS[step]
    _check(con, user, kind, problem)
    said = _text(text, required, required=True) if required else clean(text) or None
    at = _now(at)
    state = to or kind.to or problem["state"]
    with db.transaction(con):
        con.execute(
            f"UPDATE problems SET state = ?{sets} WHERE id = ?",
            [state, *params, problem["id"]],
        )
        _event(con, user, problem["id"], step, at, said, state)
        audit.record(con, user, kind.action,
                     {"id": problem["id"], "内容": said, "状态": state}, at=at)  # fmt: skip
    return problem


def note(con, user: User, problem_id: int, text: str, *, at: dt.datetime | None = None) -> None:
    """A dated progress note (办理进展); the first one moves 已交办 to 办理中."""
    at = _now(at)
    _step(con, user, problem_id, "note", text, required="办理进展", at=at,
          sets=", last_note_at = ?", params=[at])  # fmt: skip


def request_close(
    con, user: User, problem_id: int, text: str, *, at: dt.datetime | None = None
) -> None:
    """申请办结: the unit says it is done and how; the office decides. Counts as progress."""
    at = _now(at)
    _step(con, user, problem_id, "request", text, required="办结情况说明", at=at,
          sets=", last_note_at = ?, returned_at = NULL", params=[at])  # fmt: skip


def close(
    con, user: User, problem_id: int, closure: str, text: str | None = None,
    *, at: dt.datetime | None = None,
) -> None:  # fmt: skip
    """销号 (督核): the office accepts the request, as 实质性办结 or 程序性办结."""
    if closure not in CLOSURES:
        raise BadArgument(f"办结方式应为{'或'.join(CLOSURES)}，收到“{closure}”")
    at = _now(at)
    said = f"{closure}" + (f"。{clean(text)}" if clean(text) else "")
    _step(con, user, problem_id, "close", said, required=None, at=at,
          sets=", closure = ?, closed_at = ?", params=[closure, at])  # fmt: skip


def send_back(con, user: User, problem_id: int, reason: str, *, at=None) -> None:
    """退回 (督核): not done yet; the reason goes to the unit and the problem turns yellow."""
    at = _now(at)
    _step(con, user, problem_id, "return", reason, required="退回理由", at=at,
          sets=", returned_at = ?", params=[at])  # fmt: skip


def hold(con, user: User, problem_id: int, reason: str, *, at=None) -> None:
    """暂缓 with a reason: not chased (no colour) until resumed."""
    problem = _problem(con, problem_id)
    _step(con, user, problem_id, "hold", reason, required="暂缓理由", at=at,
          sets=", held_from = ?", params=[problem["state"]])  # fmt: skip


def resume(con, user: User, problem_id: int, text: str | None = None, *, at=None) -> None:
    """Back to the state it was put on hold from."""
    problem = _problem(con, problem_id)
    _step(con, user, problem_id, "resume", text, required=None, at=at,
          sets=", held_from = NULL", to=problem["held_from"] or "待交办")  # fmt: skip


def instruct(con, user: User, problem_id: int, text: str, *, at=None) -> None:
    """A leader's 批示: kept as its own kind of entry, shown apart from the unit's notes."""
    _step(con, user, problem_id, "instruct", text, required="批示内容", at=_now(at))


# --- the admin's thresholds ---------------------------------------------------------------


def thresholds(con) -> Thresholds:
    return day_settings.read(con, "problem_settings", Thresholds)


def set_thresholds(con, user: User, *, at=None, **values: int) -> Thresholds:
    """Change 三色督办's days (admin only); the old and new values go to the audit log."""
    return day_settings.change(con, user, "problem_settings", Thresholds, "督办设置", values, at=at)


__all__ = [
    "OPEN",
    "STEPS",
    "assign",
    "close",
    "create",
    "hold",
    "holds",
    "instruct",
    "may",
    "note",
    "request_close",
    "resume",
    "send_back",
    "set_thresholds",
    "thresholds",
]

"""倒排工期: planned dates counted back from a target date by a template's default days.

The target date belongs to the template's target node (竣工 in the shipped templates: the
register's 计划竣工日期 is the date a project commits to). Nodes before it are counted back by
the days between each node and the next; nodes after it forward. `backward` is a pure function;
`apply` writes a project's nodes from it, keeping the actual dates, units and notes of nodes
already there under the same name.
"""

from __future__ import annotations

import datetime as dt

from xzcore.errors import BadArgument
from xzcore.nodes import store, templates
from xzcore.nodes.templates import Step
from xzcore.store import audit, db
from xzcore.store.roles import User


def backward(steps: list[Step], target: dt.date, pinned: dict[str, dt.date] | None = None):
    """[(step, planned date)] for the template's nodes, the target node on `target`.

    pinned: dates fixed by name (the register's 计划开工日期 for the start node, say); the
    nodes before a pinned one are counted back from it instead, as a person adjusting the
    plan would, and a pinned date after the target is refused.
    """
    pinned = pinned or {}
    at = next((i for i, s in enumerate(steps) if s.target), None)
    if at is None:
        raise BadArgument("模板没有目标节点，无法倒排")
    dates: list[dt.date | None] = [None] * len(steps)
    dates[at] = target
    for i in range(at - 1, -1, -1):  # back from the target: each node `days` before the next
        step = steps[i]
        dates[i] = pinned.get(step.name) or dates[i + 1] - dt.timedelta(days=steps[i + 1].days)
        if dates[i] > target:
            raise BadArgument(f"节点“{step.name}”的日期 {dates[i]} 晚于目标日期 {target}")
    for i in range(at + 1, len(steps)):  # after the target: forward
        dates[i] = pinned.get(steps[i].name) or dates[i - 1] + dt.timedelta(days=steps[i].days)
    return list(zip(steps, dates, strict=True))


def apply(con, user: User, project_id: int, *, target: dt.date | None = None,
          template: str | None = None, pin_start: bool = True,
          at: dt.datetime | None = None) -> list[tuple[str, dt.date]]:  # fmt: skip
    """Schedule a project's nodes back from `target` (default: its 计划竣工日期) by its
    template (or the one given, for an admin), as office or the project's unit's staff.
    pin_start: the start node keeps the register's 计划开工日期 when it has one.
    Returns [(node, planned)]."""
    project = store.project(con, project_id)
    store.check_may_edit(con, user, project, "倒排节点计划")
    current, stored_target, _ = templates.of_project(con, project_id)
    if template is not None and template != current:
        if not user.is_admin:
            raise BadArgument("只有管理员可以改变项目的节点模板")
        templates.steps(con, template)
        current = template
    target = target or stored_target or project["planned_completion"]
    if target is None:
        raise BadArgument(f"项目“{project['name']}”没有计划竣工日期：请填写目标日期再倒排")
    steps = templates.steps(con, current)
    pinned = {}
    if pin_start and project["planned_start"] is not None:
        pinned = {s.name: project["planned_start"] for s in steps if s.stage == "开工"}
        if any(d > target for d in pinned.values()):
            pinned = {}  # a register start after the target: the target decides
    planned = backward(steps, target, pinned)
    at = at or dt.datetime.now().replace(microsecond=0)
    with db.transaction(con):
        write(con, user, project_id, current, target, planned, at=at)
        audit.record(con, user, "node_schedule",
                     {"project": project["name"], "模板": current, "目标日期": target},
                     at=at)  # fmt: skip
    return [(s.name, d) for s, d in planned]


def write(con, user: User, project_id: int, template: str, target, planned, *, at) -> None:
    """The project's nodes as scheduled, inside the caller's transaction: a node kept under
    the same name keeps its actual date, unit and note; nodes no longer in the template go."""
    kept = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT name, actual, unit, note FROM project_nodes WHERE project_id = ?",
            [int(project_id)],
        ).fetchall()
    }
    con.execute("DELETE FROM project_nodes WHERE project_id = ?", [int(project_id)])
    con.executemany(
        "INSERT INTO project_nodes VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
        [
            [int(project_id), i, step.name, step.stage, date, *kept.get(step.name, (None,) * 3),
             user.username, at]
            for i, (step, date) in enumerate(planned, start=1)
        ],
    )  # fmt: skip
    con.execute(
        "INSERT INTO project_node_plans VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id)"
        " DO UPDATE SET template = excluded.template, target = excluded.target,"
        " set_by = excluded.set_by, set_at = excluded.set_at",
        [int(project_id), template, target, user.username, at],
    )

"""Changing a project's nodes by hand, who may, and the admin's 临期 setting.

Checked here, in the library (a page only hides the form): office and admin for any project,
a unit's staff for the projects of their units (责任单位, compared folded as uploads compare
them). A refusal is written to the audit log. Each change is one transaction with its audit
entry.
"""

from __future__ import annotations

import datetime as dt

from xzcore.errors import BadArgument
from xzcore.ingest.values import clean, fold, form_date
from xzcore.nodes.model import NodeSettings
from xzcore.store import audit, day_settings, db
from xzcore.store.roles import User, deny

OFFICE = frozenset({"office", "admin"})
EDIT = "修改节点"


def project(con, project_id: int) -> dict:
    cursor = con.execute(
        "SELECT id, name, code, unit, build_type, planned_start, planned_completion,"
        " actual_start, actual_completion FROM projects WHERE id = ?",
        [int(project_id)],
    )
    row = cursor.fetchone()
    if row is None:
        raise BadArgument(f"没有编号为 {project_id} 的项目")
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def holds(user: User | None, unit: str | None) -> bool:
    return isinstance(user, User) and bool(unit) and fold(unit) in {fold(u) for u in user.units}


def refusal(user: User | None, project_: dict, what: str = EDIT) -> str | None:
    """Why the user may not change this project's nodes, or None."""
    if not isinstance(user, User):
        return f"请先登录：未登录不能{what}"
    if user.role in OFFICE:
        return None
    if user.role != "staff":
        return f"{user.label}无权{what}"
    if not holds(user, project_["unit"]):
        mine = "、".join(user.units) or "无"
        return (
            f"项目“{project_['name']}”的责任单位是{project_['unit'] or '（未填）'}，"
            f"不属于您负责的单位（{mine}），不能{what}"
        )
    return None


def may_edit(user: User | None, project_: dict) -> bool:
    """For the pages: whether to draw the edit form."""
    return refusal(user, project_) is None


def check_may_edit(con, user, project_: dict, what: str = EDIT) -> None:
    message = refusal(user, project_, what)
    if message is not None:
        raise deny(con, user, what, message, {"project": project_["id"]})


_UNSET = object()


def edit(con, user: User, project_id: int, name: str, *, planned=_UNSET, actual=_UNSET,
         note=_UNSET, unit=_UNSET, at: dt.datetime | None = None) -> dict:  # fmt: skip
    """Change one node's planned date, actual date, note or unit (what is not given stays).
    An actual date after the day of the change is refused: a node is done when it is done."""
    project_ = project(con, project_id)
    check_may_edit(con, user, project_)
    row = con.execute(
        "SELECT planned, actual, note, unit FROM project_nodes WHERE project_id = ? AND name = ?",
        [int(project_id), name],
    ).fetchone()
    if row is None:
        raise BadArgument(f"项目“{project_['name']}”没有名为“{name}”的节点（先倒排生成节点）")
    at = at or dt.datetime.now().replace(microsecond=0)
    old = dict(zip(("planned", "actual", "note", "unit"), row, strict=True))
    new = dict(old)
    if planned is not _UNSET:
        new["planned"] = form_date(planned, "计划日期", required=False)
    if actual is not _UNSET:
        new["actual"] = form_date(actual, "实际完成日期", required=False)
        if new["actual"] is not None and new["actual"] > at.date():
            raise BadArgument(f"实际完成日期 {new['actual']} 晚于今天，节点尚未完成时请留空")
    if note is not _UNSET:
        new["note"] = clean(note) or None
    if unit is not _UNSET:
        new["unit"] = clean(unit) or None
    changes = {k: f"{old[k] or '—'} → {new[k] or '—'}" for k in new if new[k] != old[k]}
    if not changes:
        return new
    with db.transaction(con):
        con.execute(
            "UPDATE project_nodes SET planned = ?, actual = ?, note = ?, unit = ?, batch_id = NULL,"
            " updated_by = ?, updated_at = ? WHERE project_id = ? AND name = ?",
            [new["planned"], new["actual"], new["note"], new["unit"], user.username, at,
             int(project_id), name],
        )  # fmt: skip
        audit.record(con, user, "node_edit",
                     {"project": project_["name"], "节点": name} | changes, at=at)  # fmt: skip
    return new


# --- the admin's setting -------------------------------------------------------------------


def settings(con) -> NodeSettings:
    return day_settings.read(con, "node_settings", NodeSettings)


def set_settings(con, user: User, *, at=None, **values: int) -> NodeSettings:
    """Change 临期提醒天数 (admin only), audited with the old and new value."""
    return day_settings.change(con, user, "node_settings", NodeSettings, "节点设置", values, at=at)


def version(con) -> str:
    """A token that changes whenever a node, a template or the setting changes (the pages'
    cache key beside db.data_version, which covers the reports the nodes read)."""
    row = con.execute(
        "SELECT (SELECT count(*) || '/' || coalesce(max(epoch(updated_at)), 0) || '/'"
        "        || coalesce(sum(hash(project_id, name, planned, actual, note, unit)), 0)"
        "        FROM project_nodes),"
        " (SELECT count(*) || '/' || coalesce(sum(hash(template, position, name, stage, days,"
        "        target)), 0) FROM node_template_steps),"
        " (SELECT count(*) || '/' || coalesce(sum(hash(project_id, template, target)), 0)"
        "        FROM project_node_plans),"
        " (SELECT string_agg(key || '=' || value, ';' ORDER BY key) FROM node_settings),"
        " (SELECT count(*) || '/' || count(undone_at) FROM node_batches)"
    ).fetchone()
    return "-".join(str(v) for v in row)

"""Node templates as data (DESIGN.md §9): read them, let the admin change them, and say which
template a project follows (its own choice, else one guessed from 建设性质 and category).

An admin's change of a template touches only projects scheduled from it afterwards: nodes a
project already has are its own (planned, then adjusted), never rewritten behind its back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xzcore.errors import BadArgument
from xzcore.ingest.values import clean
from xzcore.nodes.model import STAGES
from xzcore.store import audit, db
from xzcore.store.roles import User, deny

INDUSTRY, GOVERNMENT, CONTINUING = "产业项目", "政府投资项目", "续建"
# categories (行业类别, 项目类别) that make a project an enterprise's: the others are the
# government's own
_INDUSTRIAL = ("制造", "工业", "产业", "服务业", "企业", "商贸", "农业")


@dataclass(frozen=True)
class Step:
    name: str
    stage: str | None  # the pipeline step it marks (签约/开工/竣工/投运) or None
    days: int  # default days from the node before
    target: bool = False  # the node the target date is for


def names(con) -> list[str]:
    rows = con.execute("SELECT name FROM node_templates ORDER BY position, name").fetchall()
    return [r[0] for r in rows]


def steps(con, template: str) -> list[Step]:
    rows = con.execute(
        "SELECT name, stage, days, target FROM node_template_steps WHERE template = ?"
        " ORDER BY position",
        [template],
    ).fetchall()
    if not rows:
        raise BadArgument(f"没有名为“{template}”的节点模板")
    return [Step(*r) for r in rows]


def all_steps(con) -> dict[str, list[Step]]:
    return {name: steps(con, name) for name in names(con)}


def guess(build_type: str | None, category: str | None, project_type: str | None = None) -> str:
    """The template a project takes by default: 续建 when it is continuing; 产业项目 when its
    category reads as an enterprise's (制造、工业、产业、服务业…); else 政府投资项目."""
    if build_type == "续建":
        return CONTINUING
    text = f"{category or ''}{project_type or ''}"
    return INDUSTRY if any(word in text for word in _INDUSTRIAL) else GOVERNMENT


def of_project(con, project_id: int) -> tuple[str, dt.date | None, bool]:
    """(template, target date, whether it was chosen rather than guessed) of a project."""
    row = con.execute(
        "SELECT template, target FROM project_node_plans WHERE project_id = ?", [int(project_id)]
    ).fetchone()
    if row is not None:
        return row[0], row[1], True
    found = con.execute(
        "SELECT build_type, category, project_type FROM projects WHERE id = ?", [int(project_id)]
    ).fetchone()
    if found is None:
        raise BadArgument(f"没有编号为 {project_id} 的项目")
    return guess(*found), None, False


def _admin(con, user, what: str, detail: dict) -> None:
    if not isinstance(user, User) or not user.is_admin:
        who = user.label if isinstance(user, User) else "未登录"
        raise deny(con, user, what, f"{who}无权{what}", detail)


def save(con, user: User, template: str, new_steps: list[Step], *, description=None,
         at: dt.datetime | None = None) -> None:  # fmt: skip
    """Replace a template's nodes (admin only): rename, reorder, add or remove nodes and change
    the default days, in one step. A new name makes a new template."""
    _admin(con, user, "修改节点模板", {"template": template})
    name = clean(template)
    if not name:
        raise BadArgument("请填写模板名称")
    checked = check(new_steps)
    at = at or dt.datetime.now().replace(microsecond=0)
    with db.transaction(con):
        exists = con.execute("SELECT 1 FROM node_templates WHERE name = ?", [name]).fetchone()
        if not exists:
            con.execute(
                "INSERT INTO node_templates VALUES (?, (SELECT coalesce(max(position), 0) + 1"
                " FROM node_templates), ?)",
                [name, clean(description) or None],
            )
        elif description is not None:
            con.execute(
                "UPDATE node_templates SET description = ? WHERE name = ?",
                [clean(description) or None, name],
            )
        con.execute("DELETE FROM node_template_steps WHERE template = ?", [name])
        con.executemany(
            "INSERT INTO node_template_steps VALUES (?, ?, ?, ?, ?, ?)",
            [[name, i, s.name, s.stage, s.days, s.target] for i, s in enumerate(checked, 1)],
        )
        audit.record(con, user, "node_template",
                     {"模板": name, "节点": [f"{s.name}（{s.days}天）" for s in checked]},
                     at=at)  # fmt: skip


def check(new_steps: list[Step]) -> list[Step]:
    """A template's nodes cleaned: names present and distinct, days 0–3650, each pipeline
    step marked once at most, in pipeline order, exactly one target node."""
    cleaned = []
    for number, step in enumerate(new_steps, start=1):
        name = clean(step.name)
        if not name:
            raise BadArgument(f"第{number}个节点没有名称")
        stage = clean(step.stage) or None
        if stage is not None and stage not in STAGES:
            raise BadArgument(f"节点“{name}”的推进环节应为{'、'.join(STAGES)}之一，收到“{stage}”")
        try:
            days = int(step.days)
        except (TypeError, ValueError):
            raise BadArgument(f"节点“{name}”的间隔天数应为整数，收到“{step.days}”") from None
        if not 0 <= days <= 3650:
            raise BadArgument(f"节点“{name}”的间隔天数应在 0 至 3650 之间，收到 {days}")
        cleaned.append(Step(name, stage, days, bool(step.target)))
    if not cleaned:
        raise BadArgument("模板至少要有一个节点")
    seen = [s.name for s in cleaned]
    twice = sorted({n for n in seen if seen.count(n) > 1})
    if twice:
        raise BadArgument(f"节点名称重复：{'、'.join(twice)}")
    marked = [s.stage for s in cleaned if s.stage]
    if len(marked) != len(set(marked)):
        raise BadArgument("每个推进环节（签约、开工、竣工、投运）最多对应一个节点")
    if marked != sorted(marked, key=STAGES.index):
        raise BadArgument("推进环节的顺序应为 签约 → 开工 → 竣工 → 投运")
    if sum(s.target for s in cleaned) != 1:
        raise BadArgument("须指定且只指定一个目标节点（倒排工期的起点）")
    return cleaned


def assign(con, user: User, project_id: int, template: str, *, at=None) -> None:
    """Set the template a project follows (admin only). Its nodes change when it is next
    scheduled (倒排)."""
    _admin(con, user, "修改项目的节点模板", {"project": project_id, "template": template})
    steps(con, template)  # raises for an unknown template
    of_project(con, project_id)  # raises for an unknown project
    at = at or dt.datetime.now().replace(microsecond=0)
    with db.transaction(con):
        con.execute(
            "INSERT INTO project_node_plans VALUES (?, ?, NULL, ?, ?) ON CONFLICT (project_id)"
            " DO UPDATE SET template = excluded.template, set_by = excluded.set_by,"
            " set_at = excluded.set_at",
            [int(project_id), template, user.username, at],
        )
        audit.record(con, user, "node_template_assign",
                     {"project": int(project_id), "模板": template}, at=at)  # fmt: skip

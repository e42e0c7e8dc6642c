"""Node files (项目, 节点, 计划日期, 实际日期, 备注): read by the same forgiving reader as uploads
(CSV in the usual encodings, xlsx, xls, title rows above the header), columns found by their
usual names, every row checked, then one batch in one transaction, or nothing.

prepare() reads and checks, writing nothing; commit() writes a prepared file with no errors as
one batch (a project without nodes gets its template's first, scheduled back from its
计划竣工日期 when it has one); undo() puts the nodes back as they were before the batch, while
nobody has changed them since.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from xzcore.errors import BadArgument
from xzcore.ingest import sidelists, values
from xzcore.ingest.read import read
from xzcore.nodes import schedule, store, templates
from xzcore.store import audit, db
from xzcore.store.roles import User, deny

IMPORT, UNDO = "导入节点", "撤销节点导入"
ALIASES = {
    "node": ("节点", "节点名称", "关键节点", "时间节点", "里程碑"),
    "project": ("项目名称", "项目", "所属项目"),
    "code": ("项目代码", "项目编码"),
    "planned": ("计划日期", "计划完成日期", "计划时间", "计划完成时间", "节点计划日期"),
    "actual": ("实际日期", "实际完成日期", "完成日期", "实际完成时间", "实际时间"),
    "note": ("备注", "说明", "情况说明"),
    "unit": ("责任单位", "节点责任单位"),
}
NAMES = {f: a[0] for f, a in ALIASES.items()}
_FOLDED = {values.fold(a): f for f, names in ALIASES.items() for a in names}
MAX_ROWS = 200_000
_FIELDS = ("planned", "actual", "note", "unit")
_SCHEMA = pa.schema(
    [("project_id", pa.int32()), ("name", pa.string()), ("planned", pa.date32()),
     ("actual", pa.date32()), ("note", pa.string()), ("unit", pa.string())]
)  # fmt: skip


@dataclass
class Prepared:
    """A read and checked file: the rows to write and the errors (row, column, message), each
    naming the file's own row and column."""

    file_name: str
    sha256: str
    sheet: str
    header_row: int
    columns: dict[str, str]
    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)


def _usable(found: dict) -> bool:
    return "node" in found and ("project" in found or "code" in found)


def recognised(sheets) -> bool:
    """Whether a read file (xzcore.ingest.read's sheets) is a node file: a sheet whose header
    names the node and its project (name or code) and at least a date. Asked by the shared
    upload only of files that are neither a register, a monthly report nor a 问题台账."""
    return sidelists.names_any(sheets, _FOLDED, _usable, {"planned", "actual"})


def prepare(con, data: bytes, file_name: str, user: User | None = None,
            today: dt.date | None = None, *, sheets=None) -> Prepared:  # fmt: skip
    """Read and check a node file; raises BadArgument when no sheet has its header. `user`: a
    unit's staff may name only their units' projects (each other row is an error). sheets:
    the file as read already (the shared upload page's reader found it is a node file)."""
    got = sidelists.first_sheet(
        sheets if sheets is not None else read(data, file_name), _FOLDED, _usable
    )
    if got is None:
        raise BadArgument("文件中没有找到节点表的表头（须有“项目名称”或“项目代码”和“节点”列）")
    sheet, rows, (top, columns) = got
    prepared = Prepared(file_name, hashlib.sha256(data).hexdigest(), sheet.name, top + 1,
                        {f: rows[top][j] for f, j in columns.items()})  # fmt: skip
    body = [(n, r) for n, r in enumerate(rows[top + 1 :], start=top + 2) if any(map(str.strip, r))]
    if len(body) > MAX_ROWS:
        raise BadArgument(f"节点表最多 {MAX_ROWS} 行，文件有 {len(body)} 行")
    projects = _projects(con)
    known = _nodes(con)
    seen: dict[tuple[int, str], int] = {}
    for number, row in body:
        cells = {f: values.clean(row[j]) if j < len(row) else "" for f, j in columns.items()}
        if values.fold(cells.get("project", "") or cells.get("code", "")) in ("合计", "总计"):
            continue
        _row(prepared, projects, known, seen, number, cells, user, today or dt.date.today())
    if not prepared.rows and not prepared.errors:
        raise BadArgument("节点表中没有数据行")
    return prepared


def _projects(con) -> dict[str, dict]:
    found = {}
    cursor = con.execute(
        "SELECT id, code, name, unit, build_type, category, project_type FROM projects"
    )
    for pid, code, name, unit, build_type, category, kind in cursor.fetchall():
        entry = {"id": pid, "name": name, "unit": unit,
                 "template": templates.guess(build_type, category, kind)}  # fmt: skip
        found[values.fold(name)] = entry
        if code:
            found["code:" + values.fold(code)] = entry
    by_id = {entry["id"]: entry for entry in found.values()}
    for pid, template in con.execute(
        "SELECT project_id, template FROM project_node_plans"
    ).fetchall():
        if pid in by_id:
            by_id[pid]["template"] = template
    return found


def _nodes(con) -> dict:
    """project id → {folded node name: name} of the nodes it has; template → the same."""
    have: dict = {}
    for pid, name in con.execute("SELECT project_id, name FROM project_nodes").fetchall():
        have.setdefault(pid, {})[values.fold(name)] = name
    for template, name in con.execute("SELECT template, name FROM node_template_steps").fetchall():
        have.setdefault(("template", template), {})[values.fold(name)] = name
    return have


def _row(prepared, projects, known, seen, number, cells, user, today) -> None:
    def error(field_: str, message: str) -> None:
        prepared.errors.append((number, prepared.columns.get(field_, NAMES[field_]), message))

    code, name = cells.get("code", ""), cells.get("project", "")
    project = projects.get("code:" + values.fold(code)) if code else None
    project = project or (projects.get(values.fold(name)) if name else None)
    if project is None:
        error("code" if code and not name else "project", f"没有找到项目“{name or code}”")
    elif user is not None and (why := store.refusal(user, project, IMPORT)) is not None:
        error("project", why)
        project = None
    node = cells.get("node", "")
    if not node:
        error("node", "节点名称不能为空")
    dates = {}
    for key in ("planned", "actual"):
        try:
            dates[key] = values.date(cells.get(key, ""))
        except values.ValueProblem as exc:
            error(key, str(exc))
    if dates.get("actual") and dates["actual"] > today:
        error("actual", f"实际日期 {dates['actual']} 晚于今天（{today}），节点尚未完成时请留空")
    if project is None or not node:
        return
    names = known.get(project["id"]) or known.get(("template", project["template"]), {})
    exact = names.get(values.fold(node))
    if exact is None:
        error("node", f"项目“{project['name']}”没有节点“{node}”，可选：{'、'.join(names.values())}")
        return
    key = (project["id"], exact)
    if key in seen:
        error("node", f"与第{seen[key]}行重复（同一项目的同一节点）")
        return
    seen[key] = number
    prepared.rows.append({
        "row": number, "project_id": project["id"], "name": exact,
        "new_project": project["id"] not in known, "template": project["template"],
        "planned": dates.get("planned"), "actual": dates.get("actual"),
        "note": cells.get("note") or None, "unit": cells.get("unit") or None,
    })  # fmt: skip


def _allowed(con, user, detail: dict, what: str) -> None:
    if not isinstance(user, User) or user.role not in ("staff", "office", "admin"):
        who = user.label if isinstance(user, User) else "未登录"
        raise deny(con, user, what, f"{who}无权{what}", detail)


def commit(con, user: User, prepared: Prepared, *, at: dt.datetime | None = None) -> int:
    """The checked rows as one batch; refuses a file with errors. A staff member's rows are
    checked again against their units here (the file may have been prepared for another)."""
    _allowed(con, user, {"file": prepared.file_name}, IMPORT)
    if prepared.errors:
        raise BadArgument(f"节点表有 {len(prepared.errors)} 处错误，未导入：请改正后重新上传")
    if user.role not in store.OFFICE:  # a unit's staff: each project once, not each row
        for pid in sorted({r["project_id"] for r in prepared.rows}):
            store.check_may_edit(con, user, store.project(con, pid), IMPORT)
    at = at or dt.datetime.now().replace(microsecond=0)
    incoming = pa.Table.from_pylist(
        [{f: r[f] for f in _SCHEMA.names} for r in prepared.rows], schema=_SCHEMA
    )
    # the columns the file has: a column it lacks leaves the nodes' values as they are
    sets = "".join(f", {f} = i.{f}" for f in _FIELDS if f in prepared.columns)
    with db.transaction(con):
        batch = sidelists.new_batch(con, "node_batches", prepared, user.username, at)
        fresh = sorted({r["project_id"] for r in prepared.rows if r["new_project"]})
        for pid in fresh:  # a project without nodes gets its template's
            _create(con, user, pid, at)
        # one statement each for all rows: a statement a row takes minutes at 10,000 rows
        con.register("incoming_nodes", incoming)
        try:
            con.execute(
                "INSERT INTO node_batch_touches SELECT ?, project_id, name FROM incoming_nodes",
                [batch],
            )
            con.execute(
                "INSERT INTO project_nodes_before SELECT ?, n.* FROM project_nodes n"
                " JOIN incoming_nodes i ON i.project_id = n.project_id AND i.name = n.name"
                " WHERE NOT list_contains(?, n.project_id)",
                [batch, fresh],
            )
            con.execute(
                f"UPDATE project_nodes n SET batch_id = ?, updated_by = ?, updated_at = ?{sets}"
                " FROM incoming_nodes i WHERE n.project_id = i.project_id AND n.name = i.name",
                [batch, user.username, at],
            )
        finally:  # an aborted transaction refuses even this; its rollback drops the view
            with contextlib.suppress(duckdb.Error):
                con.unregister("incoming_nodes")
        # the nodes a new project got but the file did not name belong to the batch too
        con.execute(
            "INSERT INTO node_batch_touches SELECT ?, project_id, name FROM project_nodes"
            " WHERE list_contains(?, project_id) AND (project_id, name) NOT IN"
            " (SELECT (project_id, name) FROM node_batch_touches WHERE batch_id = ?)",
            [batch, fresh, batch],
        )
        con.execute(
            "UPDATE project_nodes SET batch_id = ? WHERE list_contains(?, project_id)",
            [batch, fresh],
        )
        audit.record(con, user, "node_import",
                     {"file": prepared.file_name, "sha256": prepared.sha256, "batch": batch,
                      "rows": len(prepared.rows), "new_projects": len(fresh)}, at=at)  # fmt: skip
    return batch


def _create(con, user: User, project_id: int, at: dt.datetime) -> None:
    template, target, _ = templates.of_project(con, project_id)
    steps = templates.steps(con, template)
    project = store.project(con, project_id)
    target = target or project["planned_completion"]
    planned = (schedule.backward(steps, target) if target is not None
               else [(s, None) for s in steps])  # fmt: skip
    schedule.write(con, user, project_id, template, target, planned, at=at)
    # the project's template choice came with the batch: undo removes it with the nodes
    con.execute(
        "UPDATE project_node_plans SET set_by = ? WHERE project_id = ?",
        [f"{user.username}（节点导入）", project_id],
    )


def undo(con, user: User, batch: int, *, at: dt.datetime | None = None) -> int:
    """Put the nodes a batch wrote back as they were, while none has changed since (by hand or
    by a later file). Returns how many nodes it restored or removed."""
    _allowed(con, user, {"batch": batch}, UNDO)
    row = con.execute(
        "SELECT user_name, undone_at FROM node_batches WHERE id = ?", [int(batch)]
    ).fetchone()
    if row is None or row[1] is not None:
        raise BadArgument(f"没有可撤销的节点批次 {batch}")
    if user.role == "staff" and row[0] != user.username:
        raise deny(con, user, UNDO, f"{user.label}只能撤销自己导入的节点批次", {"batch": batch})
    changed = con.execute(
        "SELECT p.name, t.name FROM node_batch_touches t JOIN projects p ON p.id = t.project_id"
        " LEFT JOIN project_nodes n ON n.project_id = t.project_id AND n.name = t.name"
        " WHERE t.batch_id = ? AND (n.batch_id IS NULL OR n.batch_id <> t.batch_id) LIMIT 1",
        [int(batch)],
    ).fetchone()
    if changed is not None:
        raise BadArgument(
            f"批次 {batch} 导入的节点之后已被修改（{changed[0]}：{changed[1]}），不能撤销"
        )
    at = at or dt.datetime.now().replace(microsecond=0)
    with db.transaction(con):
        touched = "SELECT project_id, name FROM node_batch_touches WHERE batch_id = ?"
        gone = con.execute(
            f"DELETE FROM project_nodes WHERE (project_id, name) IN ({touched})", [int(batch)]
        ).fetchone()[0]
        con.execute(
            "INSERT INTO project_nodes SELECT * EXCLUDE (before_batch) FROM project_nodes_before"
            " WHERE before_batch = ?",
            [int(batch)],
        )
        con.execute(
            "DELETE FROM project_node_plans WHERE set_by LIKE '%（节点导入）' AND project_id NOT IN"
            " (SELECT DISTINCT project_id FROM project_nodes)"
        )
        con.execute(
            "UPDATE node_batches SET undone_at = ?, undone_by = ? WHERE id = ?",
            [at, user.username, int(batch)],
        )
        audit.record(con, user, "node_undo", {"batch": batch}, at=at)
    return int(gone)


def batches(con) -> list[dict]:
    return (
        con.execute(
            "SELECT id, file_name, row_count, user_name, created_at, undone_at, undone_by"
            " FROM node_batches ORDER BY id DESC"
        )
        .df()
        .to_dict("records")
    )

"""Importing the office's existing 问题台账 (a spreadsheet): read by the same forgiving reader as
uploads (CSV in any of the usual encodings, xlsx, xls, title rows above the header), columns
found by their usual names, every row checked, then one batch in one transaction, or nothing.

prepare() reads and checks, writing nothing; commit() writes a prepared file with no errors as
one batch; undo() removes a batch's problems while nobody has worked on them since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import pyarrow as pa

from xzcore.errors import BadArgument
from xzcore.ingest import sidelists, values
from xzcore.ingest.read import read
from xzcore.problems import proposals, store
from xzcore.problems.model import CATEGORIES, CLOSURES, SOURCES, STATES
from xzcore.store import audit, db
from xzcore.store.roles import User, deny

IMPORT, UNDO = "导入问题台账", "撤销问题台账导入"
# field → the headers offices give it (compared folded: full-width and spaces do not matter)
ALIASES = {
    "description": ("问题描述", "存在问题", "问题内容", "具体问题", "问题", "问题及困难"),
    "project": ("项目名称", "项目", "所属项目"),
    "code": ("项目代码", "项目编码"),
    "source": ("来源", "问题来源"),
    "category": ("问题类型", "类型", "问题类别", "类别", "问题分类"),
    "request": ("需协调事项", "协调事项", "需协调解决事项", "协调内容", "诉求"),
    "lead_unit": ("主办单位", "牵头单位", "责任单位", "承办单位"),
    "support_units": ("协办单位", "配合单位"),
    "leader": ("协调区领导", "联系区领导", "分管区领导", "协调领导"),
    "raised_on": ("提出日期", "提出时间", "登记日期", "收集日期"),
    "due_on": ("办结时限", "完成时限", "办结期限", "时限要求", "时限"),
    "state": ("状态", "办理状态", "办理情况"),
    "closure": ("办结方式", "销号方式"),
    "closed_on": ("办结日期", "销号日期", "办结时间"),
}
NAMES = {f: a[0] for f, a in ALIASES.items()}
_FOLDED = {values.fold(a): f for f, names in ALIASES.items() for a in names}
# What offices write for a type or a state, beyond the words of the model
CATEGORY_WORDS = {"要素保障": "要素保障（水电气路）", "水电气路": "要素保障（水电气路）",
                  "审批": "审批手续", "手续": "审批手续", "征地拆迁": "征迁", "政策处理": "征迁",
                  "拆迁": "征迁", "融资": "资金"}  # fmt: skip
STATE_WORDS = {"已销号": "已办结", "销号": "已办结", "办结": "已办结", "已完成": "已办结",
               "在办": "办理中", "正在办理": "办理中", "未交办": "待交办"}  # fmt: skip
MAX_ROWS = 10_000
_SCHEMA = pa.schema([
    ("file_row", pa.int32()), ("project_id", pa.int32()), ("source", pa.string()),
    ("category", pa.string()),
    ("description", pa.string()), ("request", pa.string()), ("lead_unit", pa.string()),
    ("support_units", pa.list_(pa.string())), ("leader", pa.string()),
    ("raised_on", pa.date32()), ("due_on", pa.date32()), ("state", pa.string()),
    ("closure", pa.string()), ("assigned_at", pa.timestamp("us")),
    ("closed_at", pa.timestamp("us")),
])  # fmt: skip


@dataclass
class Prepared:
    """A read and checked file: the rows to import (fields for store.create and the state to
    set), and the errors (row, column, message), each naming the file's own row."""

    file_name: str
    sha256: str
    sheet: str
    header_row: int
    columns: dict[str, str]  # field → the header found in the file
    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    # the batch that imported this very file and stands (not undone): commit adds nothing
    same_as: int | None = None


def _usable(found: dict) -> bool:
    return "description" in found


# Headers only a 问题台账 has (a monthly report has 存在问题 and 责任单位 too): one of these with
# a description column tells the upload page and `xzcore import` that a file is a ledger.
LEDGER_ONLY = frozenset(
    {"category", "request", "due_on", "state", "closure", "support_units", "raised_on",
     "closed_on"}
)  # fmt: skip


def recognised(sheets) -> bool:
    """Whether a read file (xzcore.ingest.read's sheets) is a 问题台账: a sheet whose header
    names a problem's description and at least one column only a ledger has (问题类型,
    办结时限, 办理状态, 需协调事项, 协办单位 …). Asked only of files that are neither a
    register nor a monthly report."""
    return sidelists.names_any(sheets, _FOLDED, _usable, LEDGER_ONLY)


def prepare(
    con, data: bytes, file_name: str, today: dt.date | None = None, *, sheets=None
) -> Prepared:
    """Read and check a 问题台账; raises BadArgument when no sheet has its header. A row with
    no 提出日期 is taken as raised today (the day of the import). sheets: the file as read
    already (the upload page's reader found it is a ledger), not read again."""
    got = sidelists.first_sheet(
        sheets if sheets is not None else read(data, file_name), _FOLDED, _usable
    )
    if got is None:
        wanted = "、".join(ALIASES["description"][:3])
        raise BadArgument(f"文件中没有找到问题台账的表头（须有“{wanted}”等列）")
    sheet, rows, (top, columns) = got
    prepared = Prepared(file_name, hashlib.sha256(data).hexdigest(), sheet.name, top + 1,
                        {f: rows[top][j] for f, j in columns.items()})  # fmt: skip
    same = con.execute(
        "SELECT max(id) FROM problem_batches WHERE sha256 = ? AND undone_at IS NULL",
        [prepared.sha256],
    ).fetchone()
    prepared.same_as = same[0] if same else None
    projects = _projects(con)
    body = [(n, r) for n, r in enumerate(rows[top + 1 :], start=top + 2) if any(map(str.strip, r))]
    if len(body) > MAX_ROWS:
        raise BadArgument(f"问题台账最多 {MAX_ROWS} 行，文件有 {len(body)} 行")
    for number, row in body:
        cells = {f: values.clean(row[j]) if j < len(row) else "" for f, j in columns.items()}
        if values.fold(cells.get("description", "")) in ("合计", "总计", "小计"):
            continue
        _row(prepared, projects, number, cells, today or dt.date.today())
    return prepared


def _projects(con) -> dict[str, tuple]:
    found = {}
    for pid, code, name, unit, leader in con.execute(
        "SELECT id, code, name, unit, leader FROM projects"
    ).fetchall():
        found[values.fold(name)] = (pid, unit, leader)
        if code:
            found["code:" + values.fold(code)] = (pid, unit, leader)
    return found


def _row(prepared: Prepared, projects: dict, number: int, cells: dict, today: dt.date) -> None:
    def error(field_: str, message: str) -> None:
        column = prepared.columns.get(field_, NAMES[field_])
        prepared.errors.append((number, column, message))

    description = cells.get("description", "")
    if not description:
        error("description", "问题描述不能为空")
    project = None
    code, name = cells.get("code", ""), cells.get("project", "")
    if code or name:
        project = projects.get("code:" + values.fold(code)) or projects.get(values.fold(name))
        if project is None:
            error("code" if code and not name else "project", f"没有找到项目“{name or code}”")
    category = cells.get("category", "")
    category = CATEGORY_WORDS.get(category, category) or proposals.guess_category(description)
    if category not in CATEGORIES:
        error("category", f"问题类型“{category}”应为{'、'.join(CATEGORIES)}之一")
    source = cells.get("source", "") or "现场办公"
    if source not in SOURCES:
        error("source", f"来源“{source}”应为{'、'.join(SOURCES)}之一")
    dates = {}
    for key in ("raised_on", "due_on", "closed_on"):
        try:
            dates[key] = values.date(cells.get(key, ""))
        except values.ValueProblem as exc:
            error(key, str(exc))
    raised = dates.get("raised_on") or today
    if dates.get("due_on") and dates["due_on"] < raised:
        given = "" if dates.get("raised_on") else "（未填提出日期，按导入当天计）"
        error("due_on", f"办结时限 {dates['due_on']} 早于提出日期 {raised}{given}")
    unit = cells.get("lead_unit") or (project[1] if project else None)
    state = STATE_WORDS.get(cells.get("state", ""), cells.get("state", ""))
    state = state or ("已交办" if unit and dates.get("due_on") else "待交办")
    if state not in STATES:
        error("state", f"状态“{state}”应为{'、'.join(STATES)}之一")
    elif state != "待交办" and not (unit and dates.get("due_on")):
        error("due_on", f"状态为“{state}”的问题须有主办单位和办结时限")
    closure = cells.get("closure") or ("实质性办结" if state == "已办结" else None)
    if closure is not None and closure not in CLOSURES:
        error("closure", f"办结方式“{closure}”应为{'或'.join(CLOSURES)}")
    prepared.rows.append(
        {
            "row": number,
            "fields": {
                "description": description,
                "category": category,
                "source": source,
                "project_id": project[0] if project else None,
                "request": cells.get("request") or None,
                "lead_unit": unit,
                "support_units": cells.get("support_units", ""),
                "leader": cells.get("leader") or (project[2] if project else None),
                "raised_on": raised,
                "due_on": dates.get("due_on"),
            },
            "state": state,
            "closure": closure if state == "已办结" else None,
            "closed_on": dates.get("closed_on"),
        }
    )


def commit(con, user: User, prepared: Prepared, *, at: dt.datetime | None = None) -> int:
    """The checked rows as one batch (office and admin); refuses a file with errors."""
    if not isinstance(user, User) or user.role not in store.OFFICE:
        who = user.label if isinstance(user, User) else "未登录"
        raise deny(con, user, IMPORT, f"{who}无权{IMPORT}", {"file": prepared.file_name})
    if prepared.errors:
        raise BadArgument(f"问题台账有 {len(prepared.errors)} 处错误，未导入：请改正后重新上传")
    if not prepared.rows:
        raise BadArgument("问题台账中没有问题")
    if prepared.same_as is not None:  # the same file uploaded twice: not every problem twice
        raise BadArgument(f"这个文件已在批次 {prepared.same_as} 导入，未重复导入")
    at = at or dt.datetime.now().replace(microsecond=0)
    incoming = _table(con, prepared, at)
    with db.transaction(con):
        batch = sidelists.new_batch(con, "problem_batches", prepared, user.username, at)
        # the numbers in the file's order; one statement for all rows: 5,000 single-row
        # inserts took a minute
        rows = incoming["file_row"].to_pylist()
        numbers = dict(
            zip(sorted(rows), db.next_ids(con, "problem_id_seq", len(rows)), strict=True)
        )
        numbered = incoming.set_column(0, "id", pa.array([numbers[r] for r in rows], pa.int64()))
        con.register("incoming_problems", numbered)
        try:
            con.execute(
                f"INSERT INTO problems ({', '.join(numbered.column_names)}, batch_id,"
                " created_by, created_at) SELECT *, ?, ?, ? FROM incoming_problems ORDER BY id",
                [batch, user.username, at],
            )
        finally:
            con.unregister("incoming_problems")
        con.execute(
            'INSERT INTO problem_events (problem_id, kind, "at", user_name, display_name, role,'
            " text, state) SELECT id, 'create', ?, ?, ?, ?, ?, state FROM problems"
            " WHERE batch_id = ? ORDER BY id",
            [at, user.username, user.display_name, user.role,
             f"导入自问题台账（批次{batch}）", batch],
        )  # fmt: skip
        audit.record(con, user, "problem_import",
                     {"file": prepared.file_name, "sha256": prepared.sha256, "batch": batch,
                      "rows": len(prepared.rows)}, at=at)  # fmt: skip
    return batch


def _table(con, prepared: Prepared, at: dt.datetime) -> pa.Table:
    """The rows as store.checked cleans them, with their state, as one Arrow table."""
    rows = []
    known = {r[0] for r in con.execute("SELECT id FROM projects").fetchall()}
    for row in prepared.rows:
        fields = store.checked(con, **row["fields"], projects=known)
        closed = row["closed_on"] or at.date() if row["state"] == "已办结" else None
        rows.append({"file_row": row["row"]} | fields | {
            "state": row["state"],
            "closure": row["closure"],
            "assigned_at": at if row["state"] != "待交办" else None,
            "closed_at": None if closed is None else dt.datetime.combine(closed, dt.time()),
        })  # fmt: skip
    return pa.Table.from_pylist(rows, schema=_SCHEMA)


def undo(con, user: User, batch: int, *, at: dt.datetime | None = None) -> int:
    """Remove the problems a batch added, while none has a step after its import."""
    if not isinstance(user, User) or user.role not in store.OFFICE:
        who = user.label if isinstance(user, User) else "未登录"
        raise deny(con, user, UNDO, f"{who}无权{UNDO}", {"batch": batch})
    row = con.execute(
        "SELECT created_at, undone_at FROM problem_batches WHERE id = ?", [int(batch)]
    ).fetchone()
    if row is None or row[1] is not None:
        raise BadArgument(f"没有可撤销的问题台账批次 {batch}")
    worked = con.execute(
        "SELECT min(q.id) FROM problems q JOIN problem_events e ON e.problem_id = q.id"
        " WHERE q.batch_id = ? AND e.kind <> 'create'",
        [int(batch)],
    ).fetchone()[0]
    if worked is not None:
        raise BadArgument(f"批次 {batch} 导入的问题 #{worked} 之后已有办理记录，不能撤销")
    at = at or dt.datetime.now().replace(microsecond=0)
    with db.transaction(con):
        ids = "SELECT id FROM problems WHERE batch_id = ?"
        con.execute(f"DELETE FROM problem_events WHERE problem_id IN ({ids})", [int(batch)])
        gone = con.execute("DELETE FROM problems WHERE batch_id = ?", [int(batch)]).fetchone()
        con.execute(
            "UPDATE problem_batches SET undone_at = ?, undone_by = ? WHERE id = ?",
            [at, user.username, int(batch)],
        )
        audit.record(con, user, "problem_undo", {"batch": batch}, at=at)
    return int(gone[0]) if gone else 0


def batches(con) -> list[dict]:
    """The imports, newest first."""
    table = con.execute(
        "SELECT id, file_name, row_count, user_name, created_at, undone_at, undone_by"
        " FROM problem_batches ORDER BY id DESC"
    ).df()
    return table.to_dict("records")

"""Undo a batch: back to exactly what was there before it, if the user may and nothing built on it
since."""

from __future__ import annotations

from xzcore.cycle import months, publish
from xzcore.ingest import scope
from xzcore.ingest.commit import TABLES, ValidationFailed, refresh_lights, touched
from xzcore.ingest.values import fold
from xzcore.period import Month
from xzcore.store import audit, db
from xzcore.store.roles import ROLE_NAMES, User, deny, enforce


def undoable_by(user: User, owner: str) -> bool:
    """Whether the user may undo a batch this owner imported: admins anyone's, others their own
    (staff are further held to their units when they try)."""
    return user.is_admin or owner == user.username


def _may_undo(con, batch: int, owner: str, user: User) -> None:
    """Admins undo anyone's batch; others only their own, and staff only within their units."""
    if user.is_admin:
        return
    if not undoable_by(user, owner):
        message = f"批次#{batch}由 {owner} 导入，{ROLE_NAMES[user.role]}只能撤销自己导入的批次"
        raise deny(con, user, "undo", message, {"batch": batch})
    if user.role != "staff":
        return
    mine = {fold(u) for u in user.units}
    foreign = [
        f"{name}（责任单位：{unit or '未填'}）"
        for name, unit in con.execute(
            "SELECT DISTINCT p.name, p.unit FROM batch_touches t JOIN projects p"
            " ON p.id = t.project_id WHERE t.batch_id = ? ORDER BY 1",
            [batch],
        ).fetchall()
        if fold(unit) not in mine
    ]
    if foreign:
        message = (
            f"批次#{batch}涉及不属于您负责的单位（{scope.units_text(user)}）的项目，不能撤销："
            + "；".join(foreign)
        )
        raise deny(con, user, "undo", message, {"batch": batch})


def undo(con, batch: int, user: User, reason: str | None = None) -> None:
    """Put back what the batch replaced and remove what it added, unless a later batch built on it.

    Refused (nothing changed) when a later, still standing batch wrote the same keys, or when
    the user may not undo this batch (see _may_undo). Undoing a report of a published month is
    a correction: office or admin, with a reason; the month gets its next version.
    """
    enforce(con, user, "undo", {"batch": batch})
    row = con.execute(
        "SELECT year, month, undone_at, user_name, kind, file_name, row_count FROM batches"
        " WHERE id = ?",
        [batch],
    ).fetchone()
    if row is None:
        raise ValidationFailed(f"没有批次#{batch}")
    _may_undo(con, batch, row[3], user)
    if row[2] is not None:
        raise ValidationFailed(f"批次#{batch}已于 {row[2]:%Y-%m-%d %H:%M} 撤销过")
    correcting = _published(con, batch, row, user, reason)
    later = [
        r[0]
        for r in con.execute(
            """SELECT DISTINCT l.batch_id FROM batch_touches t
               JOIN batch_touches l ON l.project_id = t.project_id AND l.batch_id > t.batch_id
               JOIN batches b ON b.id = l.batch_id AND b.undone_at IS NULL
               WHERE t.batch_id = $batch AND (t.tbl = 'projects' OR (l.tbl = t.tbl
                     AND l.year IS NOT DISTINCT FROM t.year
                     AND l.month IS NOT DISTINCT FROM t.month))
               ORDER BY 1""",
            {"batch": batch},
        ).fetchall()
    ]
    if later:
        listed = "、".join(f"#{b}" for b in later)
        raise ValidationFailed(f"批次#{batch}之后的批次（{listed}）改过同样的数据，请先撤销它们")
    with db.transaction(con):
        for table in TABLES:
            con.execute(f"DELETE FROM {table} t WHERE {touched(table, batch)}")
            con.execute(
                f"INSERT INTO {table} SELECT * EXCLUDE (batch_id) FROM {table}_before"
                " WHERE batch_id = ?",
                [batch],
            )
        con.execute(
            "UPDATE batches SET undone_at = current_timestamp, undone_by = ? WHERE id = ?",
            [user.username, batch],
        )
        refresh_lights(con, row[0], row[1] or 1)
        audit.record(
            con,
            user,
            "undo",
            {"batch": batch, "kind": row[4], "year": row[0], "month": row[1], "file": row[5],
             "rows": row[6], "uploaded_by": row[3]} | ({"reason": reason} if reason else {}),
        )  # fmt: skip
        if correcting:
            version = publish.freeze(con, user, correcting, reason=reason)
            audit.record(
                con, user, "correct",
                {"month": str(correcting), "version": version.version, "undone_batch": batch,
                 "reason": reason, "changed": (version.changes or {}).get("count")},
            )  # fmt: skip


def _published(con, batch: int, row, user: User, reason: str | None) -> Month | None:
    """The published month undoing this batch would change, once the user may: office or
    admin, with a reason. None for a register or a month still being collected."""
    if row[4] == "register":
        return None
    month = Month(row[0], row[1])
    done = months.latest(con, month)
    if done is None:
        return None
    when = f"{month} 已于 {done.published_at:%Y-%m-%d %H:%M} 发布（第 {done.version} 版）"
    if user.role not in ("office", "admin"):
        message = f"{when}，不能撤销批次#{batch}。如需更正，请联系区重点办或管理员"
        raise deny(con, user, "undo", message, {"batch": batch})
    if not (reason or "").strip():
        raise ValidationFailed(
            f"{when}：撤销批次#{batch}是对已发布数据的更正，须填写更正理由"
            f"（生成第 {done.version + 1} 版，原版本仍可查看）"
        )
    return month

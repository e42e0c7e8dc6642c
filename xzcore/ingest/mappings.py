"""Columns mapped by hand on the upload page, remembered so that next month's file maps itself.

A mapping is kept per (unit, layout, header): the layout is the digest of a sheet's header names
(Part.layout), so only a file laid out the same way picks it up. The unit key is the uploader's:
a staff member's first unit (their units share one office and usually one template), and ''
for the district office and admins, whose files cover every unit (see unit_of).

Who may write: office and admin for any unit, a unit's staff only for their own units; only an
admin removes one. Every write goes to the audit log.
"""

from __future__ import annotations

import datetime as dt

from xzcore.errors import BadArgument
from xzcore.ingest import headers
from xzcore.store import audit, db
from xzcore.store.roles import User, deny, enforce

IGNORE = headers.IGNORE  # the header is not read at all, even where an alias would match it
_AUDIT_ACTION = "column_map"  # what a refusal names in the audit log


def unit_of(user: User) -> str:
    """The unit key a user's mappings are kept under: a staff member's first unit, else ''."""
    if user.role == "staff" and user.units:
        return user.units[0]
    return ""


def unit_text(unit: str) -> str:
    """How pages name a unit key: '' is the office's own (all units)."""
    return unit or "区重点办（全部单位）"


def field_label(field: str) -> str:
    """A field key as people read it: the Chinese label, 不使用 for ignore."""
    if field == IGNORE:
        return "不使用"
    return headers.MAPPABLE.get(field, field)


def field_key(text: str) -> str:
    """A field key or its Chinese label (or 不使用 / ignore) → the key; BadArgument otherwise."""
    text = text.strip()
    if text in (IGNORE, "不使用"):
        return IGNORE
    if text in headers.MAPPABLE:
        return text
    for key, label in headers.MAPPABLE.items():
        if text == label:
            return key
    choices = "、".join(headers.MAPPABLE.values())
    raise BadArgument(f"没有字段“{text}”；可以对应的字段：{choices}，或“不使用”")


def per_layout(parsed, mapping: dict[str, str]) -> dict[str, dict[str, str]]:
    """A hand mapping split by the layouts of the file's parts (sheets): what to remember where.

    A header goes with each part that has it; one set aside ('ignore') is in no part's columns
    any more, so it goes with every part. Parts laid out alike share one layout.
    """
    kept: dict[str, dict[str, str]] = {}
    for part in parsed.parts:
        present = {c.header for c in part.columns} | set(part.ignored)
        chosen = {
            h: f
            for h, f in mapping.items()
            if h in present or (f == IGNORE and not _anywhere(parsed, h))
        }
        if chosen:
            kept.setdefault(part.layout, {}).update(chosen)
    return kept


def _anywhere(parsed, header: str) -> bool:
    return any(
        header in part.ignored or any(c.header == header for c in part.columns)
        for part in parsed.parts
    )


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def remember(con, user: User, unit: str, layout: str, mapping: dict[str, str]) -> int:
    """Keep each header → field of mapping for (unit, layout), replacing an earlier choice.

    Returns how many were kept. Raises PermissionDenied (audited) for a viewer, or a staff
    member writing for a unit that is not theirs; BadArgument for an unknown field.
    """
    enforce(con, user, "upload", {"column_map": unit})
    if user.role == "staff" and unit not in user.units:
        raise deny(
            con,
            user,
            _AUDIT_ACTION,
            f"{user.label}只能记住本单位的列对应，不能记住“{unit_text(unit)}”的",
            {"unit": unit},
        )
    if not layout:
        raise BadArgument("没有表头格式（layout），无法记住列对应")
    cleaned = {}
    for header, field in mapping.items():
        if not str(header).strip():
            raise BadArgument("列对应的表头不能为空")
        cleaned[str(header)] = field_key(field)
    if not cleaned:
        return 0
    at = _now()
    with db.transaction(con):
        for header, field in cleaned.items():
            con.execute(  # the id given: through PostgreSQL a default would not be taken
                """INSERT INTO column_maps (id, unit, layout, header, field, created_by,
                       created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (unit, layout, header) DO UPDATE
                   SET field = excluded.field, created_by = excluded.created_by,
                       created_at = excluded.created_at""",
                [db.next_ids(con, "column_map_id_seq", 1)[0], unit, layout, header, field,
                 user.username, at],
            )  # fmt: skip
        audit.record(
            con,
            user,
            "column_map",
            {"unit": unit, "layout": layout, "mapping": cleaned},
            at=at,
        )
    return len(cleaned)


def recall(con, unit: str, layout: str) -> dict[str, str]:
    """The headers remembered for (unit, layout) → field key (or 'ignore')."""
    rows = con.execute(
        "SELECT header, field FROM column_maps WHERE unit = ? AND layout = ? ORDER BY header",
        [unit, layout],
    ).fetchall()
    return dict(rows)


def listing(con) -> list[dict]:
    """Every remembered mapping: id, unit, layout, header, field, created_by, created_at."""
    cursor = con.execute(
        """SELECT id, unit, layout, header, field, created_by, created_at FROM column_maps
           ORDER BY unit, layout, header, id"""
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def forget(con, user: User, map_id: int) -> dict:
    """Remove one remembered mapping (admin only); returns what it was."""
    if not isinstance(user, User) or not user.is_admin:
        who = user.label if isinstance(user, User) else "未登录的用户"
        raise deny(con, user, _AUDIT_ACTION, f"{who}无权删除列对应记忆", {"id": map_id})
    cursor = con.execute(
        "SELECT id, unit, layout, header, field, created_by FROM column_maps WHERE id = ?",
        [int(map_id)],
    )
    row = cursor.fetchone()
    if row is None:
        raise BadArgument(f"没有列对应记忆#{map_id}")
    gone = dict(zip([d[0] for d in cursor.description], row, strict=True))
    with db.transaction(con):
        con.execute("DELETE FROM column_maps WHERE id = ?", [map_id])
        audit.record(
            con,
            user,
            "column_map_forget",
            gone,
        )
    return gone

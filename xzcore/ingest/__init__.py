"""Uploads: read → headers → rows → validate → commit, shared by the upload page and the CLI.

preview = ingest.prepare(con, data, "2020年1-8月月报.csv", user=user)   # no figures written
batch = ingest.commit(con, preview, user, accept_warnings=True)
ingest.undo(con, batch, user)

user is an auth.User: its role and units are checked here, not only by the pages.
"""

from __future__ import annotations

from xzcore.ingest import gcpause, mappings, scope
from xzcore.ingest.commit import ValidationFailed, commit
from xzcore.ingest.parse import NodeFile, Parsed, Problem, ProblemLedger, parse
from xzcore.ingest.plan import build
from xzcore.ingest.read import FileTooLarge, UnreadableFile, max_rows, max_upload_mb
from xzcore.ingest.revert import undo, undoable_by
from xzcore.ingest.rows import LABELS, Preview
from xzcore.period import Month
from xzcore.store import audit, db
from xzcore.store.roles import User, enforce, require

KINDS = {
    "register": "项目计划表",
    "progress": "月度进展月报",
    "combined": "进展情况表（计划+月报）",
}


def prepare(con, data: bytes, file_name: str, month=None, sheet=None, user=None, **choices):
    """Parse the file and lay it against the database: what would change, and every problem.

    Given a user (who must be allowed to upload), rows outside a staff member's units become
    errors, the columns remembered for the user's unit and the file's layout map themselves,
    and the upload goes to the audit log. choices: plan_upload's convert_yuan and mapping.
    """
    if user is not None:
        enforce(con, user, "upload", {"file": file_name})
    try:
        preview = plan_upload(con, data, file_name, month, sheet, user, **choices)
    except UnreadableFile as exc:
        if user is not None:
            record_upload(con, user, file_name, data, unreadable=exc)
        raise
    if user is not None:
        record_upload(con, user, file_name, data, preview)
    return preview


def plan_upload(
    con,
    data: bytes,
    file_name: str,
    month: Month | None = None,
    sheet=None,
    user: User | None = None,
    *,
    convert_yuan: bool = False,
    mapping: dict[str, str] | None = None,
) -> Preview:
    """prepare() without a write: for a page that keeps previews in a cache and audits the
    upload itself (record_upload), once a file. The user must be allowed to upload
    (PermissionDenied, not audited: the page checked the role before offering the uploader).
    mapping, chosen by hand, wins over the remembered columns; convert_yuan reads the money
    columns that look typed in 元 as 元."""
    if user is not None:
        require(user, "upload")
    version = db.data_version(con)  # before reading: a commit meanwhile makes the preview stale
    with gcpause.paused():
        preview = _prepare(con, data, file_name, month, sheet, user, convert_yuan, mapping)
    preview.version = version
    if user is not None:
        scope.mark(con, preview, user)
    return preview


def record_upload(
    con,
    user: User,
    file_name: str,
    data: bytes,
    preview: Preview | None = None,
    unreadable: UnreadableFile | None = None,
) -> None:
    """The audit log's line of an upload: the file, and what was found in it (or why it could
    not be read)."""
    seen = {"file": file_name, "bytes": len(data)}
    if unreadable is not None:
        audit.record(con, user, "upload", seen | {"unreadable": str(unreadable)})
        return
    parsed = preview.parsed
    audit.record(
        con,
        user,
        "upload",
        seen
        | {"sha256": parsed.sha256, "kind": parsed.kind, "year": parsed.year,
           "month": parsed.month, "rows": len(parsed.records), "errors": len(preview.errors),
           "warnings": len(preview.warnings)},
    )  # fmt: skip


def _prepare(con, data, file_name, month, sheet, user, convert_yuan, mapping) -> Preview:
    parsed = parse(data, file_name, month, sheet, mapping)
    if user is not None:  # remembered mappings, then what was chosen by hand this time
        unit = mappings.unit_of(user)
        remembered = {}
        for part in parsed.parts:
            remembered |= mappings.recall(con, unit, part.layout)
        if remembered:
            mapping = remembered | (mapping or {})
            parsed = parse(data, file_name, month, sheet, mapping)
    preview = build(con, parsed)
    if convert_yuan and preview.yuan_columns:
        flagged = preview.yuan_columns
        preview = build(con, parse(data, file_name, month, sheet, mapping, frozenset(flagged)))
        preview.converted = flagged
    return preview


def batches(con) -> list[dict]:
    """The upload history, newest first."""
    cursor = con.execute(
        """SELECT id, kind, file_name, sha256, year, month, row_count, user_name, created_at,
                  undone_at, undone_by, reason, converted FROM batches ORDER BY id DESC"""
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


__all__ = [
    "KINDS",
    "LABELS",
    "FileTooLarge",
    "Month",
    "NodeFile",
    "Parsed",
    "Preview",
    "Problem",
    "ProblemLedger",
    "UnreadableFile",
    "ValidationFailed",
    "batches",
    "commit",
    "max_rows",
    "max_upload_mb",
    "plan_upload",
    "prepare",
    "record_upload",
    "undo",
    "undoable_by",
]

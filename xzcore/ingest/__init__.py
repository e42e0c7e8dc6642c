"""Uploads: read → headers → rows → validate → commit, shared by the upload page and the CLI.

preview = ingest.prepare(con, data, "2020年1-8月月报.csv")   # nothing written
batch = ingest.commit(con, preview, user="张三", accept_warnings=True)
ingest.undo(con, batch, user="张三")
"""

from __future__ import annotations

from xzcore.ingest.commit import ValidationFailed, commit, undo
from xzcore.ingest.parse import Parsed, Problem, parse
from xzcore.ingest.plan import LABELS, Preview, build
from xzcore.ingest.read import UnreadableFile
from xzcore.period import Month

KINDS = {"register": "项目计划表", "progress": "月度进展月报"}


def prepare(con, data: bytes, file_name: str, month: Month | None = None, sheet=None) -> Preview:
    """Parse the file and lay it against the database: what would change, and every problem."""
    return build(con, parse(data, file_name, month, sheet))


def batches(con) -> list[dict]:
    """The upload history, newest first."""
    cursor = con.execute(
        """SELECT id, kind, file_name, sha256, year, month, row_count, user_name, created_at,
                  undone_at, undone_by FROM batches ORDER BY id DESC"""
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


__all__ = [
    "KINDS",
    "LABELS",
    "Month",
    "Parsed",
    "Preview",
    "Problem",
    "UnreadableFile",
    "ValidationFailed",
    "batches",
    "commit",
    "prepare",
    "undo",
]

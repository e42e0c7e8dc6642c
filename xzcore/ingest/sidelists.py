"""Lists an office keeps beside the monthly figures (问题台账, 节点表): read by the same forgiving
reader as uploads, their header found among a sheet's first 30 rows by the columns it names."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from xzcore.ingest import values
from xzcore.ingest.read import cell_text

Found = tuple[int, dict[str, int]]  # (header row index, field → column index)


def header_row(
    rows: list[list[str]], folded: dict[str, str], usable: Callable[[dict], bool]
) -> Found | None:
    """The row naming the most known columns among the first 30 that usable() accepts. folded:
    a header as values.fold writes it, without a bracketed unit → its field."""
    best = None
    for i, row in enumerate(rows[:30]):
        found = {}
        for j, text in enumerate(row):
            name = folded.get(values.fold(text).split("（")[0].split("(")[0])
            if name and name not in found:
                found[name] = j
        if usable(found) and (best is None or len(found) > len(best[1])):
            best = (i, found)
    return best


def names_any(sheets: Iterable, folded, usable, marks: frozenset[str] | set[str]) -> bool:
    """Whether a sheet has such a header with one of the fields in marks among its columns."""
    for sheet in sheets:
        found = header_row([[cell_text(c) for c in r] for r in sheet.rows[:30]], folded, usable)
        if found is not None and marks & set(found[1]):
            return True
    return False


def first_sheet(sheets: Iterable, folded, usable):
    """(sheet, its rows as text, its Found) of the first sheet with such a header; None."""
    for sheet in sheets:
        rows = [[cell_text(c) for c in r] for r in sheet.rows]
        found = header_row(rows, folded, usable)
        if found is not None:
            return sheet, rows, found
    return None


def new_batch(con, table: str, prepared, user_name: str, at) -> int:
    """A new batch row of a side list's file (problem_batches or node_batches), inside the
    caller's transaction: its id, the next after the largest (writers take turns)."""
    assert table in ("problem_batches", "node_batches")
    batch = con.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
    con.execute(
        f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)",
        [batch, prepared.file_name, prepared.sha256, len(prepared.rows), user_name, at],
    )
    return batch

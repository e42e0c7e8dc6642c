"""Write a Preview as one batch in one transaction (revert.py undoes one).

Every key a batch writes is listed in batch_touches, and the row it held before goes to
<table>_before; undo deletes the touched keys and puts the kept rows back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pyarrow as pa

from xzcore.cycle import months, publish
from xzcore.errors import XZError
from xzcore.figures import metrics
from xzcore.ingest import gcpause, scope
from xzcore.ingest.plan import build
from xzcore.ingest.rows import PROJECT_FIELDS, Preview
from xzcore.period import Month
from xzcore.store import audit, db
from xzcore.store.roles import User, deny, enforce

_MONEY = pa.decimal128(18, 4)
_STEP = Decimal("0.0001")
TABLES = ("projects", "annual_plans", "monthly_targets", "progress")
# How a table's rows (t) meet the keys a batch touched (x).
_KEY = {
    "projects": "t.id = x.project_id",
    "annual_plans": "t.project_id = x.project_id AND t.year = x.year",
    "monthly_targets": "t.project_id = x.project_id AND t.year = x.year",
    "progress": "t.project_id = x.project_id AND t.year = x.year AND t.month = x.month",
}
_TYPES = {"planned_start": pa.date32(), "planned_completion": pa.date32(),
          "actual_start": pa.date32(), "actual_completion": pa.date32(), "lon": pa.float64(),
          "lat": pa.float64(), "start_year": pa.int16(), "end_year": pa.int16()}  # fmt: skip


class ValidationFailed(XZError):
    """The file has errors, or warnings nobody accepted, or an undo is refused: nothing changed."""


@contextlib.contextmanager
def _registered(con, name: str, table: pa.Table):
    con.register(name, table)
    try:
        yield
    except BaseException:
        # An aborted transaction refuses even this; the rollback drops the view anyway, and the
        # error that aborted it is the one to report.
        with contextlib.suppress(duckdb.Error):
            con.unregister(name)
        raise
    con.unregister(name)


def _money(values) -> pa.Array:
    return pa.array(
        [None if v is None else Decimal(v).quantize(_STEP, ROUND_HALF_UP) for v in values], _MONEY
    )


def touched(table: str, batch: int) -> str:
    # Only constants and an int are formatted in: table names come from TABLES.
    return (
        f"EXISTS (SELECT 1 FROM batch_touches x WHERE x.batch_id = {int(batch)}"
        f" AND x.tbl = '{table}' AND {_KEY[table]})"
    )


def _touch(con, batch: int, table: str, keys: pa.Table, key_sql: str, keep: bool = True) -> None:
    """List the keys this batch writes; keep the rows they held, then clear them for the new."""
    with _registered(con, "touched_keys", keys):
        con.execute(
            "INSERT INTO batch_touches (batch_id, tbl, project_id, year, month) "
            f"SELECT $batch, $tbl, {key_sql} FROM touched_keys",
            {"batch": batch, "tbl": table},
        )
    if keep:
        con.execute(
            f"INSERT INTO {table}_before SELECT {int(batch)}, t.* FROM {table} t "
            f"WHERE {touched(table, batch)}"
        )
        con.execute(f"DELETE FROM {table} t WHERE {touched(table, batch)}")


def _current(con, preview: Preview, user: User) -> Preview:
    """The preview laid against the data as it is now. The user confirmed what they saw: when
    an undo, another upload or publishing since then changes any row or problem of it, nothing
    is written and they are asked to look again (the page shows the fresh preview)."""
    now = db.data_version(con)
    if preview.version is None or preview.version == now:
        return preview
    fresh = build(con, preview.parsed)
    fresh.converted, fresh.version = preview.converted, now
    scope.mark(con, fresh, user)
    if fresh.rows != preview.rows or fresh.problems != preview.problems:
        raise ValidationFailed(
            "预览之后数据已有变动（他人导入、撤销或发布了数据），本次没有导入："
            "请核对按最新数据重新生成的预览，再确认导入"
        )
    return fresh


def commit(
    con,
    preview: Preview,
    user: User,
    *,
    accept_warnings=False,
    reason: str | None = None,
    at: dt.datetime | None = None,
) -> int | None:
    """The whole file lands or nothing does; returns the new batch id (None: nothing changed).

    The user must be allowed to upload; a staff member's file must lie wholly within their
    units (checked again here against the database, whatever the preview said). Warnings are
    核实性审核: accepting them takes a reason, kept on the batch and in the audit log. A
    published month is changed only by office or admin with a reason (更正): it gets a new
    version, and the earlier ones stay readable.
    """
    parsed = preview.parsed
    enforce(con, user, "upload", {"file": parsed.file_name})
    with db.writing(con):  # from the check against the data as it is to the commit, alone
        return _commit(con, _current(con, preview, user), user, accept_warnings, reason, at)


def _commit(con, preview: Preview, user: User, accept_warnings, reason, at) -> int | None:
    parsed = preview.parsed
    if preview.errors:
        raise ValidationFailed(
            f"文件有 {len(preview.errors)} 处错误，未导入。第一处：{preview.errors[0]}"
        )
    changed = [r for r in preview.rows if r.action != "unchanged"]
    if not changed:  # an identical re-upload: 不变, and no empty batch
        audit.record(
            con, user, "commit",
            {"kind": parsed.kind, "year": parsed.year, "month": parsed.month,
             "file": parsed.file_name, "sha256": parsed.sha256, "unchanged": True},
            at=at,
        )  # fmt: skip
        return None
    if preview.warnings and not accept_warnings:
        raise ValidationFailed(
            f"文件有 {len(preview.warnings)} 条警告，确认后才能导入。第一条：{preview.warnings[0]}"
        )
    reason = (reason or "").strip() or None
    if preview.warnings and reason is None:
        raise ValidationFailed(
            f"确认警告需填写理由：文件有 {len(preview.warnings)} 条警告（核实性审核），"
            f"请说明为何仍按此导入。第一条：{preview.warnings[0]}"
        )
    correcting = _published(con, preview, user, reason)
    refused = scope.outside(con, preview, user)
    if refused:
        rows = [r.row for r in refused]
        raise deny(
            con,
            user,
            "upload",
            scope.message(user, refused),
            {"file": parsed.file_name, "rows": rows},
        )
    with gcpause.paused(), db.transaction(con):
        batch = db.next_ids(con, "batch_id_seq", 1)[0]
        con.execute(
            "INSERT INTO batches (id, kind, file_name, sha256, year, month, row_count, user_name,"
            " created_at, reason, converted)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, current_timestamp), ?, ?)",
            [batch, parsed.kind, parsed.file_name, parsed.sha256, parsed.year, parsed.month,
             len(parsed.records), user.username, at, reason, preview.converted or None],
        )  # fmt: skip
        # The register part first: the month's figures may be of a project it adds.
        _write_register(con, batch, parsed.year, [r for r in changed if r.part == "register"])
        for row in changed:
            if row.project_id is None and row.twin is not None:
                row.project_id = row.twin.project_id
        progress = [r for r in changed if r.part == "progress"]
        if progress:
            _write_progress(con, batch, parsed.year, parsed.month, progress)
        refresh_lights(con, parsed.year, parsed.month or 1)
        detail = {"batch": batch, "kind": parsed.kind, "year": parsed.year,
                  "month": parsed.month, "file": parsed.file_name, "sha256": parsed.sha256,
                  "rows": len(parsed.records)} | preview.counts()  # fmt: skip
        if reason:
            detail |= {"reason": reason, "warnings": [str(w) for w in preview.warnings]}
        if preview.converted:
            detail["converted"] = preview.converted
        audit.record(con, user, "commit", detail, at=at)
        if correcting:  # a published month changed: its next version, with the reason
            version = publish.freeze(con, user, correcting, reason=reason, at=at)
            audit.record(
                con, user, "correct",
                {"month": str(correcting), "version": version.version, "batch": batch,
                 "reason": reason, "changed": (version.changes or {}).get("count")},
                at=at,
            )  # fmt: skip
    return batch


def _published(con, preview: Preview, user: User, reason: str | None) -> Month | None:
    """The published month an upload would change (a correction), once the user may make it:
    office or admin, with a reason. None for a month still being collected, or a register."""
    parsed = preview.parsed
    month = parsed.period if parsed.has_progress else None
    done = months.latest(con, month) if month else None
    if done is None:
        return None
    when = f"{month} 已于 {done.published_at:%Y-%m-%d %H:%M} 发布（第 {done.version} 版）"
    if user.role not in ("office", "admin"):
        raise deny(
            con, user, "upload",
            f"{when}，不能再上传修改。如需更正，请联系区重点办或管理员（更正须填写理由）",
            {"file": parsed.file_name, "month": str(month)},
        )  # fmt: skip
    if reason is None:
        raise ValidationFailed(
            f"{when}：更正须填写更正理由；导入后生成第 {done.version + 1} 版，原版本仍可查看"
        )
    return month


def _write_progress(con, batch, year, month, rows) -> None:
    if not rows:
        return
    incoming = pa.table(
        {
            "project_id": pa.array([r.project_id for r in rows], pa.int32()),
            "amount": _money(r.write["amount"] for r in rows),
            "ytd": _money(r.write["ytd"] for r in rows),
            "since_start": _money(r.write["since_start"] for r in rows),
            "started": pa.array([r.write["started"] for r in rows], pa.bool_()),
            **{f: [r.write[f] for r in rows] for f in ("stage", "image_progress", "problems")},
        }
    )
    _touch(con, batch, "progress", incoming, f"project_id, {int(year)}, {int(month)}")
    with _registered(con, "incoming", incoming):
        con.execute(
            "INSERT INTO progress (project_id, year, month, amount, ytd, stage, image_progress,"
            " problems, batch_id, since_start, started) SELECT project_id, $year, $month,"
            " amount, ytd, stage, image_progress, problems, $batch, since_start, started"
            " FROM incoming",
            {"year": year, "month": month, "batch": batch},
        )
    dates = ("actual_start", "actual_completion")
    register = [{"id": r.project_id} | {d: r.write[d] for d in dates if d in r.write}
                for r in rows if any(d in r.write for d in dates)]  # fmt: skip
    if register:
        _update_projects(con, batch, register)


def _project_table(records: list[dict]) -> pa.Table:
    columns = {"id": pa.array([r["id"] for r in records], pa.int32())}
    for name in PROJECT_FIELDS:
        values = [r.get(name) for r in records]
        if name == "total_investment":
            columns[name] = _money(values)
        else:
            columns[name] = pa.array(values, _TYPES.get(name, pa.string()))
    return pa.table(columns)


def _update_projects(con, batch, records: list[dict]) -> None:
    """Set the given fields of existing projects; a field given as None keeps its value."""
    incoming = _project_table(records)
    _touch(con, batch, "projects", incoming, "id, NULL, NULL")
    # _touch kept the rows and cleared them: put them back with the new values laid over.
    merged = ", ".join(f"coalesce(i.{f}, b.{f})" for f in PROJECT_FIELDS)
    with _registered(con, "incoming", incoming):
        con.execute(
            f"INSERT INTO projects (id, {', '.join(PROJECT_FIELDS)}) SELECT b.id, {merged} "
            "FROM projects_before b JOIN incoming i ON i.id = b.id WHERE b.batch_id = $batch",
            {"batch": batch},
        )


def _write_register(con, batch, year, rows) -> None:
    if not rows:
        return
    new = [r for r in rows if r.project_id is None]
    # Edits first: _touch clears every project row this batch has touched so far, and would
    # take a project this batch has just added with it.
    edited = [r for r in rows if r not in new and set(r.changes) - {"plan", "targets"}]
    if edited:
        _update_projects(con, batch, [{"id": r.project_id} | r.write for r in edited])
    if new:
        ids = db.next_ids(con, "project_id_seq", len(new))
        for r, pid in zip(new, ids, strict=True):
            r.project_id = pid
        incoming = _project_table([{"id": r.project_id} | r.write for r in new])
        _touch(con, batch, "projects", incoming, "id, NULL, NULL", keep=False)
        with _registered(con, "incoming", incoming):
            fields = ", ".join(PROJECT_FIELDS)
            con.execute(f"INSERT INTO projects (id, {fields}) SELECT id, {fields} FROM incoming")
    plans = pa.table(
        {
            "project_id": pa.array([r.project_id for r in rows], pa.int32()),
            "plan": _money(r.write["plan"] for r in rows),
        }
    )
    _touch(con, batch, "annual_plans", plans, f"project_id, {int(year)}, NULL")
    with _registered(con, "incoming", plans):
        con.execute(
            "INSERT INTO annual_plans SELECT project_id, $year, plan, $batch FROM incoming",
            {"year": year, "batch": batch},
        )
    targeted = [r for r in rows if r.write.get("targets")]
    if targeted:
        months = range(1, 13)
        targets = pa.table(
            {
                "project_id": pa.array(
                    [r.project_id for r in targeted for _ in months], pa.int32()
                ),
                "month": pa.array([m for _ in targeted for m in months], pa.int8()),
                "target_cum": _money(r.write["targets"][m] for r in targeted for m in months),
            }
        )
        keys = pa.table({"project_id": pa.array([r.project_id for r in targeted], pa.int32())})
        _touch(con, batch, "monthly_targets", keys, f"project_id, {int(year)}, NULL")
        with _registered(con, "incoming", targets):
            con.execute(
                "INSERT INTO monthly_targets SELECT project_id, $year, month, target_cum"
                " FROM incoming",
                {"year": year},
            )


def refresh_lights(con, year: int, from_month: int) -> None:
    """Lights published for this month and the later ones of the year follow the new figures."""
    reported = [m for m in metrics.available_months(con) if m.year == year]
    last = max((m.month for m in reported), default=0)
    frozen = set(months.published(con))  # a published month's lights change by correction only
    # A month left with no figures (its only report undone) keeps no lights either.
    con.execute(
        "DELETE FROM light_snapshots WHERE year = ? AND month > ? AND NOT list_contains(?, month)",
        [year, max(last, from_month - 1), [m.month for m in frozen if m.year == year]],
    )
    for month in reported:
        if month.month >= from_month and month not in frozen:
            metrics.snapshot_lights(con, month)

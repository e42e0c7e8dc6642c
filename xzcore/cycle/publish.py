"""Publishing a month: freeze it as version 1; a correction freezes it again as version N+1.

Freezing copies what every figure of the month is computed from — the year's projects, plans,
targets and reports to that month, the settings (preset, thresholds, schedule mode) and the
lights published before it — into a schema of its own, then computes the month's lights there.
Pages, slides, the bulletin and the CLI read that schema (months.reader), so the month stays
exactly as published whatever is uploaded, undone or reconfigured later.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json

from xzcore.cycle import months
from xzcore.errors import XZError
from xzcore.figures import metrics
from xzcore.period import Month
from xzcore.store import audit, db, settings
from xzcore.store.roles import User, enforce

# What a frozen month holds: table → the rows of it that the month's figures read.
_FROZEN = {
    "projects": "id IN (SELECT project_id FROM main.annual_plans WHERE year = $year)",
    "annual_plans": "year = $year",
    "monthly_targets": "year = $year",
    "progress": "year = $year AND month <= $month",
    "settings": "TRUE",
    "light_snapshots": "year = $year AND month < $month",
}
CHANGES_KEPT = 500  # a correction lists at most this many projects (the count says how many)


class PublishRefused(XZError):
    """Nothing to publish, or already published: nothing changed."""


def _schema(month: Month, version: int) -> str:
    return f"pub_{month.year:04d}_{month.month:02d}_v{int(version)}"


def publish(
    con, user: User, month: Month, *, reason: str | None = None, at: dt.datetime | None = None
) -> months.Version:
    """Publish a month being collected (office or admin): version 1, frozen; reason: a note
    kept with it (e.g. why it goes out with units missing)."""
    enforce(con, user, "publish", {"month": str(month)})
    done = months.latest(con, month)
    if done is not None:
        raise PublishRefused(
            f"{month} 已于 {done.published_at:%Y-%m-%d %H:%M} 发布（第 {done.version} 版）；"
            "如需更正，请上传更正数据或撤销批次，并填写更正理由"
        )
    if month not in metrics.available_months(con):
        raise PublishRefused(f"{month} 还没有任何月报，不能发布")
    with db.transaction(con):
        version = freeze(con, user, month, reason=(reason or "").strip() or None, at=at)
        audit.record(
            con, user, "publish",
            {"month": str(month), "version": 1, "projects": version.projects,
             "reported": version.reported, "reason": version.reason}, at=at,
        )  # fmt: skip
    return version


def freeze(
    con, user: User, month: Month, *, reason: str | None = None, at: dt.datetime | None = None
) -> months.Version:
    """Write the next version of the month; inside the caller's transaction.

    For a version after the first (a correction), reason is required by the caller and the
    projects whose completed investment or light changed are listed against the version before.
    """
    before = months.latest(con, month)
    number = before.version + 1 if before else 1
    schema = _schema(month, number)
    params = {"year": month.year, "month": month.month}
    frozen = dict(_FROZEN)
    if settings.preset(con).reads_nodes:
        # The optional node rules (light, warning) read the nodes: the month keeps them as they
        # were. With both off (the default) nothing of them is copied, and a published month's
        # 项目推进 and node tables read the nodes as they are now.
        frozen["project_nodes"] = (
            "project_id IN (SELECT project_id FROM main.annual_plans WHERE year = $year)"
        )
    con.execute(f"CREATE SCHEMA {schema}")
    for table, rows in frozen.items():
        used = {k: v for k, v in params.items() if f"${k}" in rows}  # DuckDB refuses extras
        con.execute(
            f"CREATE TABLE {schema}.{table} AS SELECT * FROM main.{table} WHERE {rows}", used
        )
    with _searching(con, schema):
        metrics.snapshot_lights(con, month)
    # The month's lights in the live history are the published ones from now on.
    con.execute("DELETE FROM main.light_snapshots WHERE year = $year AND month = $month", params)
    con.execute(
        f"INSERT INTO main.light_snapshots SELECT * FROM {schema}.light_snapshots"
        " WHERE year = $year AND month = $month",
        params,
    )
    tally = months.counts(con, month)
    changes = _changes(con, month, before.schema_name, schema) if before else None
    con.execute(
        "INSERT INTO main.month_versions VALUES"
        " (?, ?, ?, ?, coalesce(?, current_localtimestamp()), ?, ?, ?, ?, ?)",
        [month.year, month.month, number, schema, at, user.username, reason,
         None if changes is None else json.dumps(changes, ensure_ascii=False, default=str),
         tally["projects"], tally["reported"]],
    )  # fmt: skip
    return months.latest(con, month)


@contextlib.contextmanager
def _searching(con, schema: str):
    con.execute(f"SET search_path = '{schema},main'")
    try:
        yield
    finally:
        con.execute("RESET search_path")


def _changes(con, month: Month, old: str, new: str) -> dict:
    """The projects whose completed investment or light differ between two versions."""
    figures = """SELECT p.id, p.name, p.unit,
        coalesce((SELECT arg_max(g.ytd, g.month) FROM {s}.progress g
                  WHERE g.project_id = p.id), 0) AS completed,
        (SELECT l.light FROM {s}.light_snapshots l WHERE l.project_id = p.id
         AND l.year = $year AND l.month = $month) AS light
        FROM {s}.projects p"""
    rows = con.execute(
        f"""SELECT coalesce(n.id, o.id), coalesce(n.name, o.name), coalesce(n.unit, o.unit),
                   CAST(o.completed AS DOUBLE), CAST(n.completed AS DOUBLE), o.light, n.light
            FROM ({figures.format(s=old)}) o FULL JOIN ({figures.format(s=new)}) n ON n.id = o.id
            WHERE o.completed IS DISTINCT FROM n.completed OR o.light IS DISTINCT FROM n.light
            ORDER BY 1""",
        {"year": month.year, "month": month.month},
    ).fetchall()
    keys = ("id", "name", "unit", "completed_before", "completed", "light_before", "light")
    listed = [dict(zip(keys, r, strict=True)) for r in rows[:CHANGES_KEPT]]
    return {"count": len(rows), "projects": listed}


MIGRATION = User("migration", "数据库升级", "admin", source="cli")


def adopt(con) -> list[months.Version]:
    """A database from before the cycle: every month it has figures for was circulated as it
    stands, so each is published as version 1 (by 数据库升级), in one transaction."""
    found = []
    with db.transaction(con):
        for month in metrics.available_months(con):
            if months.latest(con, month) is None:
                found.append(freeze(con, MIGRATION, month))
    return found

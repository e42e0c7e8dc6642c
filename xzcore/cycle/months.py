"""Month states: which months are published (in which versions), which are being collected,
which a user may open, and a cursor that reads a published month's frozen copy.

A month is 收集中 from its first report until the office publishes it, then 已发布. Reading a
published month means reading its latest version's schema (pub_YYYY_MM_vN): the same SQL as a
live month, with that schema first on the cursor's search path.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from xzcore.errors import UnknownMonth
from xzcore.figures import metrics
from xzcore.period import Month
from xzcore.store import settings

PUBLISHED, COLLECTING = "已发布", "收集中"


@dataclass(frozen=True)
class Version:
    year: int
    month: int
    version: int
    schema_name: str
    published_at: dt.datetime
    published_by: str
    reason: str | None
    changes: list | None
    projects: int
    reported: int

    @property
    def period(self) -> Month:
        return Month(self.year, self.month)

    @property
    def corrected(self) -> bool:
        return self.version > 1


_COLUMNS = ("year, month, version, schema_name, published_at, published_by, reason, changes,"
            " projects, reported")  # fmt: skip


def _version(row) -> Version:
    values = list(row)
    values[7] = json.loads(values[7]) if values[7] else None
    return Version(*values)


def versions(con, month: Month | None = None) -> list[Version]:
    """Every published version, oldest first; of one month when given."""
    where, params = ("", [])
    if month:
        where, params = "WHERE year = ? AND month = ?", [month.year, month.month]
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM main.month_versions {where} ORDER BY year, month, version",
        params,
    ).fetchall()
    return [_version(r) for r in rows]


def latest(con, month: Month) -> Version | None:
    found = versions(con, month)
    return found[-1] if found else None


def published(con) -> list[Month]:
    rows = con.execute(
        "SELECT DISTINCT year, month FROM main.month_versions ORDER BY 1, 2"
    ).fetchall()
    return [Month(y, m) for y, m in rows]


def collecting(con) -> list[Month]:
    """Months with figures reported that are not published yet."""
    done = set(published(con))
    rows = con.execute(
        """SELECT DISTINCT year, month FROM main.batches
           WHERE kind IN ('progress', 'combined') AND undone_at IS NULL ORDER BY 1, 2"""
    ).fetchall()
    return [m for m in (Month(y, mo) for y, mo in rows) if m not in done]


def state(con, month: Month) -> str | None:
    if month in published(con):
        return PUBLISHED
    if month in collecting(con):
        return COLLECTING
    return None


def may_open_collecting(con, user) -> bool:
    """Office and admin may open a month still being collected; leaders when the admin allows;
    visitors and units' staff never (they would take half-reported figures for the month's)."""
    role = getattr(user, "role", None)
    if role in ("office", "admin"):
        return True
    return role == "viewer" and settings.leaders_see_collecting(con)


def viewable(con, user) -> list[Month]:
    """The months a user may open, oldest first: the published ones, and the collecting ones
    for those who may open them."""
    have = set(metrics.available_months(con))
    shown = set(published(con)) & have
    if may_open_collecting(con, user):
        shown |= set(collecting(con)) & have
    return sorted(shown)


def default_month(con, user) -> Month | None:
    """The newest published month; for those who may, the collecting month when none is."""
    found = [m for m in viewable(con, user) if state(con, m) == PUBLISHED]
    if found:
        return found[-1]
    others = viewable(con, user)
    return others[-1] if others else None


def reader(con, month: Month, version: int | None = None):
    """A cursor that reads the month as published (its latest version, or the one asked for);
    for a month not published, the live tables. Each cursor has its own search path."""
    cursor = con.cursor()
    chosen = latest(con, month) if version is None else _exact(con, month, version)
    if chosen is not None:
        # schema_name is built by publish.freeze from integers only: safe to put in the SQL
        cursor.execute(f"SET search_path = '{chosen.schema_name},main'")
    return cursor


def reading(con, month: Month) -> tuple[object, Version | None]:
    """(cursor, version) to read the month from: the cursor itself when it already reads one
    of the month's published versions (a reader); for a published month read otherwise, a
    reader of its latest version; a month not published, live (version None)."""
    path = con.execute("SELECT current_setting('search_path')").fetchone()[0] or ""
    first = path.split(",")[0].strip().strip('"')
    found = versions(con, month)
    for version in found:
        if version.schema_name == first:
            return con, version
    if not found:
        return con, None
    return reader(con, month), found[-1]


def _exact(con, month: Month, version: int) -> Version:
    for found in versions(con, month):
        if found.version == version:
            return found
    raise UnknownMonth(f"{month} 没有第 {version} 版")


def counts(con, month: Month) -> dict[str, int]:
    """已报送 x/y 个项目，a/b 个单位 for the month, from the live tables."""
    row = con.execute(
        """WITH planned AS (
               SELECT p.id, coalesce(p.unit, '（未填责任单位）') AS unit,
                      EXISTS (SELECT 1 FROM main.progress g WHERE g.project_id = p.id
                              AND g.year = $year AND g.month = $month) AS reported
               FROM main.projects p JOIN main.annual_plans a
                    ON a.project_id = p.id AND a.year = $year
           ), units AS (SELECT unit, bool_and(reported) AS done FROM planned GROUP BY unit)
           SELECT (SELECT count(*) FROM planned), (SELECT count_if(reported) FROM planned),
                  (SELECT count(*) FROM units), (SELECT count_if(done) FROM units)""",
        {"year": month.year, "month": month.month},
    ).fetchone()
    return dict(zip(("projects", "reported", "units", "units_reported"), row, strict=True))


def unreported(con, month: Month) -> frozenset[int]:
    """The projects planned in the month's year with no report of the month: their figures are
    last month's cumulative carried forward (con: the live tables or a published copy)."""
    sql = """SELECT a.project_id FROM annual_plans a WHERE a.year = $year
             AND NOT EXISTS (SELECT 1 FROM progress g WHERE g.project_id = a.project_id
                             AND g.year = $year AND g.month = $month)"""
    rows = con.execute(sql, {"year": month.year, "month": month.month}).fetchall()
    return frozenset(r[0] for r in rows)


def banner(con, month: Month) -> str | None:
    """未发布（已报送 x/y 个项目，a/b 个单位） for a month not published; None once it is."""
    if latest(con, month) is not None:
        return None
    c = counts(con, month)
    return (
        f"未发布（已报送 {c['reported']}/{c['projects']} 个项目，"
        f"{c['units_reported']}/{c['units']} 个单位）"
    )


def due(con, today: dt.date | None = None) -> Month | None:
    """The month being collected, the one templates and reminders are for: the month after the
    newest published one (or the first unpublished month reported, or January of the first
    plan year); None when that month has not begun."""
    today = today or dt.date.today()
    done = published(con)
    if done:
        following = done[-1].shift(1)
    else:
        waiting = collecting(con)
        year = con.execute("SELECT min(year) FROM main.annual_plans").fetchone()[0]
        following = waiting[0] if waiting else Month(year, 1) if year else None
    return following if following and following <= Month.of(today) else None


def of_record(con, today: dt.date | None = None) -> dict[Month, str | None]:
    """Every month from January of the first plan year to the latest one due, published or
    collecting, newest first → its state (None: nothing reported yet): the 报送情况 picker."""
    due_now, done, waiting = due(con, today), published(con), collecting(con)
    known = [m for m in (due_now, *done[-1:], *waiting[-1:]) if m is not None]
    if not known:
        return {}
    first = con.execute("SELECT min(year) FROM main.annual_plans").fetchone()[0] or known[0].year
    month, last, found = Month(min(first, *(m.year for m in known)), 1), max(known), {}
    while month <= last:
        found[month] = PUBLISHED if month in done else COLLECTING if month in waiting else None
        month = month.shift(1)
    return dict(reversed(found.items()))


def to_review(con, today: dt.date | None = None) -> Month | None:
    """The month the office works on: the one due, else the newest collecting, else the
    newest published."""
    for found in ([due(con, today)], collecting(con), published(con)):
        if found and found[-1] is not None:
            return found[-1]
    return None

"""Cached access to xzcore for the pages, keyed on the database's data version."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import duckdb
import streamlit as st

from xzcore import db, ingest, metrics, templates
from xzcore.errors import XZError
from xzcore.ingest.read import read
from xzcore.period import Month


@st.cache_resource(show_spinner=False)
def _connection(path: str):
    # One read-write connection per server process, so that the upload page can write. DuckDB
    # then locks the file against every other process: the CLI says "database in use" instead
    # of two writers racing. Each call below takes its own cursor, because sessions run in
    # threads and a DuckDB connection is not thread-safe.
    return db.connect(path)


@st.cache_resource(show_spinner=False)
def _write_lock(path: str) -> threading.Lock:
    # Commits and undos of different sessions take turns: DuckDB would abort the second of two
    # overlapping writers with a conflict rather than wait for the first.
    return threading.Lock()


def cursor():
    try:
        return _connection(str(db.db_path())).cursor()
    except XZError as exc:
        st.error(str(exc))
        st.stop()


def data_version() -> str:
    return db.data_version(cursor())


@st.cache_data(show_spinner=False, max_entries=256)
def months(version: str) -> list[str]:
    return [str(m) for m in metrics.available_months(cursor())]


@st.cache_data(show_spinner=False, max_entries=256)
def summary(version: str, month: str, by: tuple[str, ...] = ()) -> dict:
    return metrics.summary(cursor(), Month.parse(month), by=list(by))


@st.cache_data(show_spinner=False, max_entries=64)
def trend(version: str, month: str) -> list[dict]:
    """Totals for January … month of that year, for the cumulative chart."""
    end = Month.parse(month)
    points = []
    for m in range(1, end.month + 1):
        total = metrics.summary(cursor(), Month(end.year, m))
        points.append(total | {"month_no": m})
    return points


@st.cache_data(show_spinner=False, max_entries=16)
def is_demo(version: str) -> bool:
    return bool(
        cursor().execute("SELECT count(*) FROM batches WHERE user_name = 'demo'").fetchone()[0]
    )


@st.cache_data(show_spinner=False, max_entries=16)
def sheet_names(data: bytes, file_name: str) -> list[str]:
    """The sheets of an uploaded file (one for a CSV); raises ingest.UnreadableFile."""
    return [sheet.name for sheet in read(data, file_name)]


@st.cache_data(show_spinner=False, max_entries=16)
def preview(
    version: str, data: bytes, file_name: str, month: str | None = None, sheet: str | None = None
) -> ingest.Preview:
    """What the file would change; cached so that ticking a box does not parse it again."""
    given = Month.parse(month) if month else None
    return ingest.prepare(cursor(), data, file_name, month=given, sheet=sheet)


@st.cache_data(show_spinner=False, max_entries=64)
def batches(version: str) -> list[dict]:
    return ingest.batches(cursor())


@st.cache_data(show_spinner=False, max_entries=16)
def template(version: str, kind: str) -> bytes:
    return templates.template(cursor(), kind)


@st.cache_data(show_spinner=False, max_entries=16)
def reportable_months(version: str) -> list[str]:
    return [str(m) for m in templates.reportable_months(cursor(), dt.date.today())]


@st.cache_data(show_spinner=False, max_entries=16)
def due_month(version: str) -> str:
    return str(templates.due_month(cursor(), dt.date.today()))


@st.cache_data(show_spinner=False, max_entries=16)
def plan_years(version: str) -> list[int]:
    return templates.plan_years(cursor(), dt.date.today())


@contextlib.contextmanager
def _writing():
    """One writer at a time; a database error becomes one Chinese line (it rolled back)."""
    with _write_lock(str(db.db_path())):
        try:
            yield cursor()
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise XZError(f"写入数据库失败，没有做任何改动（{first}）") from exc


def commit(preview: ingest.Preview, user: str, accept_warnings: bool) -> int:
    """Write the previewed file as one batch; every page then shows the new figures.

    Raises XZError (ingest.ValidationFailed among them) with a message fit to show.
    """
    with _writing() as con:
        batch = ingest.commit(con, preview, user, accept_warnings=accept_warnings)
    st.cache_data.clear()
    return batch


def undo(batch: int, user: str) -> None:
    """Undo a batch; raises XZError saying why when refused. Every page then shows the result."""
    with _writing() as con:
        ingest.undo(con, batch, user)
    st.cache_data.clear()

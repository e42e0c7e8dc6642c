"""Cached access to xzcore for the pages, keyed on the database's data version."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import duckdb
import pandas as pd
import streamlit as st

from xzcore import auth, db, demo, history, ingest, metrics, settings, templates
from xzcore.errors import XZError
from xzcore.evaluation import evaluate
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


def _filters(filters: tuple) -> dict:
    return {column: list(values) for column, values in filters}


@st.cache_data(show_spinner=False, max_entries=256)
def summary(version: str, month: str, by: tuple[str, ...] = (), filters: tuple = ()) -> dict:
    return metrics.summary(cursor(), Month.parse(month), by=list(by), filters=_filters(filters))


@st.cache_data(show_spinner=False, max_entries=64)
def trend(version: str, month: str, filters: tuple = ()) -> pd.DataFrame:
    return history.trend(cursor(), Month.parse(month), filters=_filters(filters))


@st.cache_data(show_spinner=False, max_entries=64)
def lights(version: str, month: str, filters: tuple = (), limit: int | None = None):
    return metrics.lights(cursor(), Month.parse(month), filters=_filters(filters), limit=limit)


@st.cache_data(show_spinner=False, max_entries=64)
def map_points(version: str, month: str, filters: tuple = ()) -> list[dict]:
    """Each project's light with its place, for the map."""
    month_ = Month.parse(month)
    places = metrics.project_status(cursor(), month_, filters=_filters(filters))[
        ["id", "lon", "lat"]
    ]
    table = metrics.lights(cursor(), month_, filters=_filters(filters)).merge(places, on="id")
    return table.to_dict("records")


@st.cache_data(show_spinner=False, max_entries=32)
def evaluation(version: str, month: str, quarterly: bool = False) -> dict:
    return evaluate(cursor(), Month.parse(month), quarterly=quarterly)


@st.cache_data(show_spinner=False, max_entries=32)
def light_history(version: str, month: str, filters: tuple = ()) -> pd.DataFrame:
    return history.light_history(cursor(), Month.parse(month), filters=_filters(filters))


@st.cache_data(show_spinner=False, max_entries=32)
def light_changes(version: str, month: str) -> pd.DataFrame:
    return history.light_changes(cursor(), Month.parse(month))


@st.cache_data(show_spinner=False, max_entries=128)
def project_record(version: str, project_id: int, month: str) -> dict | None:
    return history.project_record(cursor(), project_id, Month.parse(month))


@st.cache_data(show_spinner=False, max_entries=128)
def search(version: str, text: str) -> pd.DataFrame:
    return history.search(cursor(), text)


@st.cache_data(show_spinner=False, max_entries=16)
def filter_options(version: str) -> dict[str, list[str]]:
    """The values each filter offers: what the register holds, and the three lights."""
    con = cursor()
    options = {
        column: [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT {column} FROM projects WHERE {column} IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
        for column in ("tier", "township", "unit", "leader")  # constants, never user input
    }
    return options | {"light": ["red", "yellow", "green"]}


@st.cache_data(show_spinner=False, max_entries=16)
def rules_info(version: str) -> dict:
    con = cursor()
    preset = settings.preset(con)
    return {
        "mode": settings.schedule_mode(con),
        "name": preset.name,
        "thresholds": preset.thresholds(),
        "title": preset.title,
        "source": preset.source,
        "bands": {light: preset.band_text(light) for light in ("green", "yellow", "red")},
        "start": preset.start_text(),
    }


@st.cache_data(show_spinner=False, max_entries=16)
def is_demo(version: str) -> bool:
    return demo.is_demo(cursor())


@st.cache_data(show_spinner=False, max_entries=16)
def sheet_names(data: bytes, file_name: str) -> list[str]:
    """The sheets of an uploaded file (one for a CSV); raises ingest.UnreadableFile."""
    return [sheet.name for sheet in read(data, file_name)]


@st.cache_data(show_spinner=False, max_entries=16)
def preview(
    version: str,
    data: bytes,
    file_name: str,
    month: str | None = None,
    sheet: str | None = None,
    user: auth.User | None = None,
) -> ingest.Preview:
    """What the file would change, rows outside the user's units marked as errors; cached so
    that ticking a box does not parse it again."""
    given = Month.parse(month) if month else None
    return ingest.prepare(cursor(), data, file_name, month=given, sheet=sheet, user=user)


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
def writing():
    """One writer at a time; a database error becomes one Chinese line (it rolled back)."""
    with _write_lock(str(db.db_path())):
        try:
            yield cursor()
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise XZError(f"写入数据库失败，没有做任何改动（{first}）") from exc


def commit(preview: ingest.Preview, user: auth.User, accept_warnings: bool) -> int:
    """Write the previewed file as one batch; every page then shows the new figures.

    Raises XZError (ingest.ValidationFailed among them) with a message fit to show.
    """
    with writing() as con:
        batch = ingest.commit(con, preview, user, accept_warnings=accept_warnings)
    st.cache_data.clear()
    return batch


def undo(batch: int, user: auth.User) -> None:
    """Undo a batch; raises XZError saying why when refused. Every page then shows the result."""
    with writing() as con:
        ingest.undo(con, batch, user)
    st.cache_data.clear()

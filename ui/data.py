"""Cached access to xzcore for the pages, keyed on the database's data version."""

from __future__ import annotations

import streamlit as st

from xzcore import db, metrics
from xzcore.errors import XZError
from xzcore.period import Month


@st.cache_resource(show_spinner=False)
def _connection(path: str):
    # One read-only connection per server process; each call below takes its own cursor,
    # because sessions run in threads and a DuckDB connection is not thread-safe.
    return db.connect(path, read_only=True)


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

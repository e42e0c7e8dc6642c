"""Cached access to xzcore for the pages, keyed on the database's data version."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

import pandas as pd
import streamlit as st

from xzcore import auth, cycle, ingest, rules
from xzcore.display import charts, lagcharts, lightmap, tables
from xzcore.display.frozen import Frozen
from xzcore.errors import XZError
from xzcore.figures import demo_mark, frame, history, metrics
from xzcore.figures.evaluation import evaluate
from xzcore.figures.frame import GROUP_COLUMNS
from xzcore.ingest import templates
from xzcore.ingest.read import read
from xzcore.period import Month
from xzcore.store import db, faults, settings

logger = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def _connection(path: str):
    # One read-write connection per server process, so that the upload page can write. DuckDB
    # then locks the file against every other process: the CLI says "database in use" instead
    # of two writers racing. Each call below takes its own cursor, because sessions run in
    # threads and a DuckDB connection is not thread-safe.
    try:
        return db.connect(path)
    except db.DatabaseError as exc:
        if faults.kind(exc) != "read_only":
            raise
    # A file or disk that cannot be written: the figures can still be read (every page says
    # 只读), and whatever would write says why it cannot.
    logger.warning("数据库 %s 只读，以只读方式打开", path)
    return db.connect(path, read_only=True)


def read_only() -> bool:
    """Whether the database could only be opened for reading (see _connection)."""
    return _read_only(str(db.db_path()))


@st.cache_resource(show_spinner=False)
def _read_only(path: str) -> bool:
    # asked on every rerun of every page: once per connection, not a query each time
    with cursor() as con:
        return db.read_only(con)


def forget_connection() -> None:
    """Drop the process's connection so that the next run opens the file again: after DuckDB
    invalidated it, or once a damaged or read-only file has been put right."""
    _connection.clear()
    _read_only.clear()


def connection(path: str):
    """The process's connection to the database at path (for a thread outside any page run:
    it takes its own cursor)."""
    return _connection(path)


def cursor():
    try:
        return _connection(str(db.db_path())).cursor()
    except XZError as exc:
        st.error(str(exc))
        st.stop()


def data_version() -> str:
    """Every cached read is keyed on it, so a write anywhere (any session, the CLI) shows on
    every page's next run without clearing anyone's caches. The file's path is in it: two
    databases (tests open many in one process) may hold the same counts."""
    with cursor() as con:
        return f"{db.db_path()}|{db.data_version(con)}"


@st.cache_data(show_spinner=False, max_entries=256)
def months(version: str) -> list[str]:
    """Every month with data, whatever its state (the pages offer `viewable` instead)."""
    with cursor() as con:
        return [str(m) for m in metrics.available_months(con)]


# --- which months, in which state and version ------------------------------------------------
# A published month is read only through months.reader (its frozen copy, the version shown);
# a month being collected, live. Every reader below takes the month and `edition`, the
# published version shown (None: a month being collected), so both are in its cache key.


def _read(month: str, edition: int | None):
    """A cursor reading the month as shown: its frozen copy (that version) or the live tables."""
    return cycle.months.reader(cursor(), Month.parse(month), edition)  # closed when dropped


@st.cache_data(show_spinner=False, max_entries=64)
def viewable(version: str, user: auth.User | None) -> list[str]:
    """The months this user may open (months.viewable), oldest first."""
    with cursor() as con:
        return [str(m) for m in cycle.months.viewable(con, user)]


@st.cache_data(show_spinner=False, max_entries=64)
def default_month(version: str, user: auth.User | None) -> str | None:
    with cursor() as con:
        found = cycle.months.default_month(con, user)
    return str(found) if found else None


@st.cache_data(show_spinner=False, max_entries=16)
def collecting(version: str) -> list[str]:
    with cursor() as con:
        return [str(m) for m in cycle.months.collecting(con)]


@st.cache_data(show_spinner=False, max_entries=64)
def versions(version: str, month: str) -> list[cycle.Version]:
    """The month's published versions, oldest first; none while it is being collected."""
    with cursor() as con:
        return cycle.months.versions(con, Month.parse(month))


@st.cache_data(show_spinner=False, max_entries=64)
def banner(version: str, month: str) -> str | None:
    """未发布（已报送 x/y 个项目，a/b 个单位） for a month being collected; None once published."""
    with cursor() as con:
        return cycle.months.banner(con, Month.parse(month))


@st.cache_data(show_spinner=False, max_entries=64)
def unreported(version: str, month: str, edition: int | None = None) -> frozenset[int]:
    """The projects planned that year with no report of the month (in the copy shown): their
    figures are last month's cumulative carried forward, and every list marks them 未报送."""
    return cycle.months.unreported(_read(month, edition), Month.parse(month))


def _marked(table: pd.DataFrame, missing: frozenset[int]) -> pd.DataFrame:
    return table.assign(reported=~table["id"].isin(missing)) if "id" in table else table


def _filters(filters: tuple) -> dict:
    return {column: list(values) for column, values in filters}


@st.cache_data(show_spinner=False, max_entries=256)
def summary(
    version: str, month: str, by: tuple[str, ...] = (), filters: tuple = (), edition=None
) -> dict:
    return metrics.summary(_read(month, edition), Month.parse(month), by=list(by),
                           filters=_filters(filters))  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=64)
def before(version: str, month: str, filters: tuple = (), edition=None) -> dict | None:
    """Last month's totals for the comparisons (本月完成, 红 +7), from the same copy as the month
    shown (a published month's frozen copy holds the months before it); None in January, whose
    plans and lights start afresh, or when last month has no data."""
    month_ = Month.parse(month)
    con = _read(month, edition)
    earlier = month_.shift(-1)
    if month_.month == 1 or earlier not in metrics.available_months(con):
        return None
    return metrics.summary(con, earlier, filters=_filters(filters))


@st.cache_data(show_spinner=False, max_entries=64)
def trend(version: str, month: str, filters: tuple = (), edition=None) -> pd.DataFrame:
    return history.trend(_read(month, edition), Month.parse(month), filters=_filters(filters))


@st.cache_data(show_spinner=False, max_entries=64)
def lights(version: str, month: str, filters: tuple = (), limit=None, edition=None):
    """Projects worst first with their reasons; `reported` is False for those marked 未报送."""
    table = metrics.lights(
        _read(month, edition), Month.parse(month), filters=_filters(filters), limit=limit
    )
    return _marked(table, unreported(version, month, edition))


@st.cache_data(show_spinner=False, max_entries=64)
def map_points(version: str, month: str, filters: tuple = (), edition=None) -> list[dict]:
    """Each project's light with its place, for the map."""
    month_, con = Month.parse(month), _read(month, edition)
    places = metrics.project_status(con, month_, filters=_filters(filters))[["id", "lon", "lat"]]
    table = metrics.lights(con, month_, filters=_filters(filters)).merge(places, on="id")
    missing = table["id"].isin(unreported(version, month, edition))
    # the hover says it: a light on last month's cumulative is not this month's report
    table.loc[missing, "reason"] = "本月未报送，按上月累计计列。" + table.loc[missing, "reason"]
    return table.to_dict("records")


# --- figures built once per data version and view -------------------------------------------
# A figure is built and validated by plotly once, then the same object serves every session
# and rerun: cache_resource hands it out as it is. st.cache_data would pickle it, and a Figure
# (or a plain dict, which st.plotly_chart re-validates) is rebuilt through plotly's validators on
# every read: at 10,000 projects that was 40 % of a page's CPU. Frozen: its dict made once too,
# not deep-copied for every rerun; nothing changes these figures after they are made.


@st.cache_resource(show_spinner=False, max_entries=32)
def lag_scatter(version: str, month: str, filters: tuple = (), edition=None) -> Frozen:
    """Every project against the light zones of the rule in force (pages/lag.py (a))."""
    info = rules_info(version, month, edition)
    total = summary(version, month, (), filters, edition)
    return Frozen(
        lagcharts.lag_scatter(
            lights(version, month, filters, edition=edition),
            total["schedule_progress"],
            # the rule in force with the thresholds an admin set, as the lights were computed
            rules.get_preset(info["name"]).with_thresholds(info["thresholds"]),
            "各项目完成率与亮灯区间",
        )
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def light_heatmap(version: str, month: str, filters: tuple, edition, rows: int) -> Frozen:
    """The lights month by month of the worst `rows` projects in the view."""
    shown = lights(version, month, filters, edition=edition)["id"].head(rows)
    history_ = lagcharts.in_view(light_history(version, month, filters, edition), shown)
    return Frozen(lagcharts.light_heatmap(history_, "逐月亮灯（每行一个项目，当前最差的在上）"))


@st.cache_resource(show_spinner=False, max_entries=32)
def light_map(
    version: str, month: str, filters: tuple = (), edition=None, tiles: str | None = None
) -> Frozen:
    """Each project's light on the district outline, the townships' behind them."""
    total = summary(version, month, ("township",), filters, edition)
    points = map_points(version, month, filters, edition)
    return Frozen(lightmap.light_map(points, total["groups"]["township"], tiles=tiles))


@st.cache_resource(show_spinner=False, max_entries=64)
def group_chart(
    version: str, month: str, filters: tuple, edition, column: str, what: str = "completion"
) -> Frozen:
    """The view's groups of one column (GROUP_COLUMNS) as bars: their completion against the
    schedule, or (what="lights") their projects' lights. Titles say a click filters."""
    total = summary(version, month, tuple(GROUP_COLUMNS), filters, edition)
    groups, name = total["groups"][column], GROUP_COLUMNS[column]
    if what == "lights":
        return Frozen(charts.lights_by_group(groups, f"各{name}亮灯（点击筛选）"))
    title = f"各{name}投资完成率（点击筛选）"
    return Frozen(charts.completion_by_group(groups, total["schedule_progress"], title))


@st.cache_resource(show_spinner=False, max_entries=32)
def overview_charts(version: str, month: str, filters: tuple, edition) -> tuple[Frozen, Frozen]:
    """总览's cumulative trend against the schedule and its stage pipeline."""
    total = summary(version, month, tuple(GROUP_COLUMNS), filters, edition)
    records = trend(version, month, filters, edition).to_dict("records")
    return (
        Frozen(charts.cumulative_trend(records, "累计完成投资与时序进度")),
        Frozen(
            charts.stage_pipeline(total["stages"], "项目阶段：签约 → 开工 → 在建 → 竣工 → 投运")
        ),
    )


@st.cache_data(show_spinner=False, max_entries=32)
def evaluation(version: str, month: str, quarterly: bool = False, edition=None) -> dict:
    con = _read(month, edition)
    result = evaluate(con, Month.parse(month), quarterly=quarterly)
    missing = cycle.months.unreported(
        con, Month.parse(result["as_of"])
    )  # a quarter's round: its last month
    return result | {k: _marked(result[k], missing) for k in ("red_flags", "warnings")}


@st.cache_data(show_spinner=False, max_entries=32)
def light_history(version: str, month: str, filters: tuple = (), edition=None) -> pd.DataFrame:
    return history.light_history(
        _read(month, edition), Month.parse(month), filters=_filters(filters)
    )


@st.cache_data(show_spinner=False, max_entries=32)
def light_changes(version: str, month: str, edition=None) -> pd.DataFrame:
    changes = history.light_changes(_read(month, edition), Month.parse(month))
    return _marked(changes, unreported(version, month, edition))


@st.cache_data(show_spinner=False, max_entries=128)
def project_record(version: str, project_id: int, month: str, edition=None) -> dict | None:
    return history.project_record(_read(month, edition), project_id, Month.parse(month))


@st.cache_data(show_spinner=False, max_entries=128)
def project_start(version: str, project_id: int, month: str, edition=None) -> dict | None:
    return frame.project_start(_read(month, edition), project_id, Month.parse(month))


@st.cache_data(show_spinner=False, max_entries=128)
def search(version: str, text: str, month: str | None = None, edition=None) -> pd.DataFrame:
    """Projects by name or code: those of the month shown (a published month's register as
    frozen), or the whole register without a month."""
    with cursor() as con:
        return history.search(_read(month, edition) if month else con, text)


@st.cache_data(show_spinner=False, max_entries=16)
def filter_options(version: str) -> dict[str, list[str]]:
    with cursor() as con:
        return frame.filter_options(con)


@st.cache_data(show_spinner=False, max_entries=16)
def rules_info(version: str, month: str | None = None, edition=None) -> dict:
    """The schedule mode and light rule: in force now, or those a month was published with."""
    con = _read(month, edition) if month else cursor()
    preset = settings.preset(con)
    return {
        "mode": settings.schedule_mode(con),
        "name": preset.name,
        "thresholds": preset.thresholds(),
        "title": preset.title,
        "source": preset.source,
        "bands": {light: preset.band_text(light) for light in rules.LIGHTS},
        "start": preset.start_text(),
    }


@st.cache_data(show_spinner=False, max_entries=16)
def is_demo(version: str) -> bool:
    with cursor() as con:
        return demo_mark.is_demo(con)


@st.cache_data(show_spinner=False, max_entries=16)
def sheet_names(data: bytes, file_name: str) -> list[str]:
    """The sheets of an uploaded file (one for a CSV); raises ingest.UnreadableFile."""
    return [sheet.name for sheet in read(data, file_name)]


@st.cache_data(show_spinner=False, max_entries=64)
def batches(version: str) -> list[dict]:
    with cursor() as con:
        return ingest.batches(con)


@st.cache_data(show_spinner=False, max_entries=16)
def reportable_months(version: str) -> list[str]:
    with cursor() as con:
        return [str(m) for m in templates.reportable_months(con, dt.date.today())]


@st.cache_data(show_spinner=False, max_entries=16)
def plan_years(version: str) -> list[int]:
    with cursor() as con:
        return templates.plan_years(con, dt.date.today())


@contextlib.contextmanager
def writing():
    """One writer at a time; a database error becomes one Chinese line (it rolled back): what
    went wrong in words a user can act on, the details in the server's log."""
    con = cursor()
    try:
        # sessions, other server processes and the command line take turns (db.writing): the
        # store would abort the second of two overlapping writers rather than make it wait
        with db.writing(con):
            yield con
    except db.DatabaseError as exc:
        logger.error("写入数据库失败", exc_info=exc)
        if faults.kind(exc) == "corrupt":
            forget_connection()
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise XZError(
            f"{faults.explain(exc) or f'写入数据库失败（{first}）'}。本次操作没有写入任何数据。"
        ) from exc
    finally:
        con.close()


REFUSED = object()


def attempt(step, *args, **kwargs):
    """Take the step (a function of the connection first) as the one writer: its result, or
    REFUSED with the reason shown as one Chinese line."""
    try:
        with writing() as con:
            return step(con, *args, **kwargs)
    except XZError as exc:
        st.error(tables.literal(str(exc)), icon=":material/error:")
        return REFUSED


def commit(
    preview: ingest.Preview, user: auth.User, accept_warnings: bool, reason: str | None = None
) -> int | None:
    """Write the previewed file as one batch; every page then shows the new figures. None when
    nothing changed. `reason`: why warnings were accepted, or why a published month is corrected.

    Raises XZError (ingest.ValidationFailed among them) with a message fit to show.
    """
    with writing() as con:
        batch = ingest.commit(con, preview, user, accept_warnings=accept_warnings, reason=reason)
    return batch


def undo(batch: int, user: auth.User, reason: str | None = None) -> None:
    """Undo a batch; raises XZError saying why when refused (a published month's batch needs
    office or admin and a reason: a correction). Every page then shows the result."""
    with writing() as con:
        ingest.undo(con, batch, user, reason=reason)

"""The upload page's side of the monthly cycle: what the office sent back to a unit, how far
the unit's month is, the templates (per unit, for the month being collected), and a file that
would change a published month."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ui import data, status
from xzcore import auth, cycle, ingest
from xzcore.display import tables
from xzcore.ingest import templates
from xzcore.period import Month

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL_UNITS = "全部单位（每个单位一个工作表）"


@st.cache_data(show_spinner=False, max_entries=16)
def due(version: str, day: str) -> str | None:
    with data.cursor() as con:
        month = templates.due_month(con, dt.date.fromisoformat(day))
    return None if month is None else str(month)


@st.cache_data(show_spinner=False, max_entries=16)
def units(version: str, year: int) -> list[str]:
    with data.cursor() as con:
        return templates.units(con, year)


@st.cache_data(show_spinner=False, max_entries=32)
def monthly(version: str, month: str, chosen: tuple[str, ...] | None) -> bytes:
    with data.cursor() as con:
        return templates.monthly(con, Month.parse(month), None if chosen is None else list(chosen))


@st.cache_data(show_spinner=False, max_entries=4)
def register(version: str, day: str) -> bytes:
    with data.cursor() as con:
        return templates.register(con, dt.date.fromisoformat(day))


def unit_notice(version: str, user: auth.User) -> None:
    """A unit's staff: the 退回 reasons standing for their units in the month being collected,
    and how far their units' reports of it are."""
    if user.role != "staff":
        return
    month = due(version, dt.date.today().isoformat())
    if month is None:
        return
    period = Month.parse(month)
    for found in status.returned(version, month, tuple(user.units)):
        st.error(
            f"区重点办退回了{tables.literal(found['unit'])}{period.year}年{period.month}月的月报，"
            f"理由：{tables.literal(found['review_reason'])}。请修改后重新上传（发布前均可重报）。",
            icon=":material/undo:",
        )
    table = status.units(version, month, status.today())
    if table.empty:
        return
    mine = table[table.unit.isin(user.units)]
    deadline = cycle.status.deadline_text(mine["deadline"].iloc[0]) if not mine.empty else ""
    parts = [f"{r.unit}：{r.state}（{r.reported}/{r.projects} 个项目）" for r in mine.itertuples()]
    if parts:
        st.caption(
            f"{period.year}年{period.month}月月报截止 {deadline}　"
            + tables.literal("；".join(parts))
        )


def buttons(version: str, user: auth.User) -> None:
    """The register template, and the monthly one: a unit's own for staff; for the office a
    chosen unit's, or every unit's sheet in one workbook that uploads back as one batch."""
    st.markdown("**下载模板**")
    today = dt.date.today().isoformat()
    st.download_button(
        "项目计划表模板",
        register(version, today),
        file_name=templates.FILE_NAMES["register"],
        mime=XLSX,
        icon=":material/download:",
        on_click="ignore",
        key="template-register",
    )
    month = due(version, today)
    if month is None:
        st.caption("目前没有需要报送的月份，暂无月报模板。")
        return
    period = Month.parse(month)
    offered = units(version, period.year)
    if user.role == "staff":
        chosen = tuple(u for u in user.units if u in offered)
        if not chosen:
            st.caption(f"{period.year}年没有您负责单位的计划项目，暂无月报模板。")
            return
    else:
        pick = st.selectbox("月报模板的单位", [ALL_UNITS, *offered], key="template-unit")
        chosen = None if pick == ALL_UNITS else (pick,)
    name = templates.file_name(period, None if chosen is None else "、".join(chosen))
    st.download_button(
        f"月度进展月报模板（{month}）",
        monthly(version, month, chosen),
        file_name=name,
        mime=XLSX,
        icon=":material/download:",
        on_click="ignore",
        key="template-progress",
    )
    st.caption(
        "月报模板含所选单位的项目与参考数（年度计划、本月目标、上月末累计），本月数据请填写。"
    )


def published(version: str, preview: ingest.Preview):
    """The latest version of the month the file reports, when that month is published."""
    parsed = preview.parsed
    if not parsed.has_progress or parsed.period is None:
        return None
    found = data.versions(version, str(parsed.period))
    return found[-1] if found else None


def refuse_published(version: str, preview: ingest.Preview, user: auth.User) -> bool:
    """A unit's staff cannot change a published month: say so before any button (True)."""
    done = published(version, preview)
    if done is None or user.role in ("office", "admin"):
        return False
    st.error(
        f"{preview.parsed.period} 已于 {done.published_at:%Y-%m-%d %H:%M} 发布，不能再上传修改；"
        "如需更正，请联系区重点办",
        icon=":material/lock:",
    )
    return True

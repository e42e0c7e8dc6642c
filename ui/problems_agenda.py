"""问题督办 → 会议清单: the 待协调问题清单 for a meeting, for all, a leader or a unit, as PDF and
Excel (xzcore.problems.meeting, set by the bulletin's writers). The files are made when the
button is clicked (deferred), once per ledger version, day and choice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools

import pandas as pd
import streamlit as st

from ui import problems
from xzcore.display import tables
from xzcore.report import problems_meeting
from xzcore.report.model import Table

ALL = ("all", "")
SHOWN = 50  # rows on the page; the files have all
MIME = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@st.cache_data(show_spinner=False, max_entries=8)
def scopes(version: str, day: dt.date) -> dict[str, list[str]]:
    return problems_meeting.scopes(problems.table(version, day))


# from the page's own ledger (read and coloured once per version and day, shared)
@st.cache_resource(show_spinner=False, max_entries=32)
def agenda(version: str, day: dt.date, whose: tuple[str, str]) -> Table:
    kind, name = whose
    table = problems.table(version, day)
    return problems_meeting.agenda_of(table, day, **({kind: name} if name else {}))


@st.cache_resource(show_spinner=False, max_entries=32)
def first_rows(version: str, day: dt.date, whose: tuple[str, str]) -> pd.DataFrame:
    """The first SHOWN rows as text, as the PDF words them."""
    table = agenda(version, day, whose)
    return dataclasses.replace(table, rows=table.rows[:SHOWN]).text_frame()


@st.cache_data(show_spinner=False, max_entries=16)
def agenda_file(version: str, day: dt.date, whose: tuple[str, str], fmt: str) -> bytes:
    return problems_meeting.agenda_file(agenda(version, day, whose), fmt)


def _label(whose: tuple[str, str]) -> str:
    kind, name = whose
    return {"all": "全部未办结问题", "leader": "协调区领导：", "unit": "主办或协办单位："}[
        kind
    ] + name


def downloads(version: str, day: dt.date) -> None:
    """Whose list, what it holds, and the two files."""
    offered = scopes(version, day)
    choices = [ALL, *(("leader", n) for n in offered["leader"])]
    choices += [("unit", n) for n in offered["unit"]]
    whose = st.selectbox("清单范围", choices, format_func=_label, key="problems_agenda_scope")
    table = agenda(version, day, whose)
    st.caption(
        tables.literal(f"{table.title}：{table.note}")
        + "　已暂缓的问题不列入。PDF 为 A4 横向，Excel 每列可筛选、排序。"
    )
    with st.container(horizontal=True):
        for fmt, label in (("pdf", "下载 PDF"), ("xlsx", "下载 Excel")):
            st.download_button(
                label,
                data=functools.partial(agenda_file, version, day, whose, fmt),
                file_name=problems_meeting.file_name(table, fmt),
                mime=MIME[fmt],
                icon=":material/download:",
                key=f"problems_agenda_{fmt}",
                on_click="ignore",
                disabled=not table.rows,
            )
    if table.rows:
        shown = first_rows(version, day, whose)
        st.dataframe(shown, hide_index=True, width="stretch", key="problems_agenda")
        if len(table.rows) > SHOWN:
            st.caption(f"共 {len(table.rows)} 个，页面列出前 {SHOWN} 个；文件中有全部。")
    else:
        st.info(table.empty)

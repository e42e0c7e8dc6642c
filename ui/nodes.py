"""The milestones' parts for the pages: cached reads of the nodes and the pipeline, the project
page's section (Gantt, table with states, 倒排 and the node edit form) and the tables of the
项目推进 page.

Reads are cached on the data version (the reports the nodes read), the nodes' own version and
the day the states are judged at. States are judged at the end of the month viewed, or today
when the month is the current one: a month's page says where things stood at its end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from ui import data, screen
from xzcore import auth, cycle
from xzcore.display import nodes_chart, tables
from xzcore.errors import XZError
from xzcore.nodes import frame, pipeline, schedule, states, store, templates
from xzcore.nodes.model import DONE_LATE, DUE_SOON, OVERDUE, before_target, words
from xzcore.period import Month
from xzcore.store import db

FLASH = "nodes_flash"
TABLE = {
    "name": "节点",
    "planned": "计划日期",
    "countdown": "倒排（距目标日期）",
    "actual": "实际日期",
    "state_text": "状态",
    "source": "实际日期来源",
    "unit": "责任单位",
    "note": "备注",
}
LIST = {
    "unit": "责任单位",
    "project": "项目",
    "name": "节点",
    "planned": "计划日期",
    "days": "超期天数",
    "note": "备注",
}
STYLES = {
    OVERDUE: "background-color: #fde2e1; color: #8a1c14",
    DUE_SOON: "background-color: #fff1d6; color: #7a4b00",
    DONE_LATE: "color: #7a4b00",
}
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2040, 12, 31)


def today() -> dt.date:
    return dt.date.today()


def version() -> str:
    """The cache key of everything here; the file's path is in it because the tests open many
    databases in one process whose versions look alike."""
    with data.cursor() as con:
        return f"{db.db_path()}|{data.data_version()}|{store.version(con)}"


def as_of(month: str, day: dt.date | None = None) -> tuple[dt.date, str]:
    """(the day states are judged at, its label): the month's end, or today within it."""
    day = day or today()
    end = Month.parse(month).end
    if day <= end:
        return day, f"今天 {day:%Y-%m-%d}"
    return end, f"截至 {end:%Y-%m-%d}"


@st.cache_data(show_spinner=False, max_entries=4)
def due_soon(version: str) -> int:
    with data.cursor() as con:
        return store.settings(con).due_soon


@st.cache_data(show_spinner=False, max_entries=64)
def project_nodes(version: str, project_id: int, day: dt.date) -> pd.DataFrame:
    with data.cursor() as con:
        return frame.nodes(con, day, due_soon(version), project_id)


@st.cache_data(show_spinner=False, max_entries=64)
def project_plan(version: str, project_id: int) -> dict:
    with data.cursor() as con:
        template, target, chosen = templates.of_project(con, project_id)
        return {
            "template": template,
            "target": target,
            "chosen": chosen,
            "project": store.project(con, project_id),
            "templates": templates.names(con),
        }


@dataclass(frozen=True)
class Pipeline:
    figures: dict
    lists: dict[str, pd.DataFrame]
    by_unit: pd.DataFrame
    overdue: pd.DataFrame
    due_next: pd.DataFrame


# kept as made (cache_resource: shared, never changed): the lists are read, not edited
@st.cache_resource(show_spinner=False, max_entries=16)
def pipeline_view(version: str, month: str, edition: int | None, day: dt.date) -> Pipeline:
    """The month's pipeline from the copy shown (a published month's frozen figures), with the
    nodes as they are, judged at `day` (as_of: the month's end, or today within it)."""
    month_ = Month.parse(month)
    soon = due_soon(version)
    with data.cursor() as base, cycle.months.reader(base, month_, edition) as con:
        lists = pipeline.exceptions(con, month_, day)
        return Pipeline(
            pipeline.figures(con, month_, day),
            lists,
            pipeline.by_unit(lists),
            states.overdue(con, month_, soon, day),
            states.due_next(con, month_, soon, day),
        )


@st.cache_data(show_spinner=False, max_entries=16)
def overdue(version: str, month: str, edition: int | None, day: dt.date) -> pd.DataFrame:
    """The nodes overdue at `day` in the copy shown, the longest first (the 节点超期 slide)."""
    month_ = Month.parse(month)
    with data.cursor() as base, cycle.months.reader(base, month_, edition) as con:
        return states.overdue(con, month_, due_soon(version), day)


def _styled(table: pd.DataFrame, column: str):
    return table.style.map(
        lambda v: next((s for k, s in STYLES.items() if str(v).startswith(k)), ""), subset=[column]
    )


def _blank(table: pd.DataFrame) -> pd.DataFrame:
    """Missing text shown as —, never None."""
    text = [c for c in table.columns if table[c].dtype == object or str(table[c].dtype) == "str"]
    return table.assign(**{c: table[c].astype(object).where(table[c].notna(), "—") for c in text})


def _dates(table: pd.DataFrame, columns) -> pd.DataFrame:
    """Dates as YYYY-MM-DD text, missing ones as —; other missing text as — too."""
    table = table.copy()
    for column in columns:
        table[column] = [
            "—" if pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d}" for v in table[column]
        ]
    return _blank(table)


def node_table(nodes: pd.DataFrame, target: dt.date | None) -> None:
    """The nodes with their states, and each one's place against the target (倒排)."""
    shown = nodes.assign(
        state_text=[
            words(s, d if pd.notna(d) else None)
            for s, d in zip(nodes["state"], nodes["days"], strict=True)
        ],
        countdown=[
            before_target(None if pd.isna(p) else pd.Timestamp(p).date(), target)
            for p in nodes["planned"]
        ],
    )
    shown = _dates(shown, ("planned", "actual"))[list(TABLE)].rename(columns=TABLE)
    st.dataframe(_styled(shown, "状态"), hide_index=True, width="stretch", height="content")


def flash() -> None:
    said = st.session_state.pop(FLASH, None)
    if said:
        st.success(tables.literal(said), icon=":material/check_circle:")  # names as typed


def _write(step, *args, **kwargs) -> bool:
    try:
        with data.writing() as con:
            step(con, *args, **kwargs)
    except XZError as exc:
        st.error(tables.literal(str(exc)), icon=":material/error:")
        return False
    return True


def project_section(user: auth.User | None, project_id: int, month: str) -> None:
    """项目详情's 节点（倒排工期） section: the chart, the table, and for those who may, 倒排 and
    the edit form."""
    v = version()
    day, label = as_of(month)
    plan = project_plan(v, project_id)
    nodes = project_nodes(v, project_id, day)
    st.markdown("**节点（倒排工期）**")
    flash()
    if nodes.empty:
        st.info(f"该项目还没有节点计划（模板：{tables.literal(plan['template'])}）。")
    else:
        target = plan["target"]
        st.caption(
            f"模板：{tables.literal(plan['template'])}　目标日期：{target or '—'}"
            f"　节点状态{label}；"
            f"临期 = {due_soon(v)} 天内到期。条形为两节点之间的计划时段，◆ 为实际完成。"
        )
        st.plotly_chart(
            nodes_chart.gantt(nodes, day, target, "节点计划与完成", label),
            width="stretch",
            config=screen.CONFIG,
            key=f"gantt_{project_id}",
        )
        node_table(nodes, target)
    if store.may_edit(user, plan["project"]):
        _schedule_form(user, project_id, plan, has_nodes=not nodes.empty)
        if not nodes.empty:
            _edit_form(user, project_id, nodes)


def _schedule_form(user, project_id: int, plan: dict, has_nodes: bool) -> None:
    title = "按模板倒排" if has_nodes else "按模板倒排生成节点"
    with st.expander(title, expanded=not has_nodes), st.form(f"schedule_{project_id}"):
        default = plan["target"] or plan["project"]["planned_completion"]
        target = st.date_input(
            "目标日期（目标节点的日期）", value=default, min_value=EARLIEST, max_value=LATEST
        )
        template = plan["template"]
        if user.is_admin:
            names = plan["templates"]
            template = st.selectbox("节点模板", names, index=names.index(template))
        if has_nodes:
            st.caption("重新倒排会按模板改写各节点的计划日期；已填的实际日期、备注保留。")
        if st.form_submit_button("倒排生成计划日期"):
            if target is None:
                st.error("请填写目标日期")
            elif _write(schedule.apply, user, project_id, target=target, template=template):
                st.session_state[FLASH] = f"已按“{template}”从 {target} 倒排生成节点计划"
                st.rerun()


def _edit_form(user, project_id: int, nodes: pd.DataFrame) -> None:
    with st.expander("修改节点", expanded=False):
        names = nodes["name"].tolist()
        name = st.selectbox("节点", names, key=f"node_pick_{project_id}")
        row = nodes[nodes["name"] == name].iloc[0]
        entered = row["entered"] if pd.notna(row["entered"]) else None
        with st.form(f"node_edit_{project_id}_{name}"):
            planned = st.date_input(
                "计划日期",
                value=None if pd.isna(row["planned"]) else row["planned"],
                min_value=EARLIEST,
                max_value=LATEST,
            )
            actual = st.date_input(
                "实际完成日期（未完成留空）", value=entered, min_value=EARLIEST, max_value=today()
            )
            # given(): where the project has no 责任单位 pandas 3 may hand over NaN, and NaN !=
            # NaN: the field showed "nan", and saving the form gave the node a unit "nan"
            unit, of_project = tables.given(row["unit"]), tables.given(row["project_unit"])
            own = unit if unit != of_project else ""
            unit = st.text_input("节点责任单位（不填为项目的责任单位）", value=own or "")
            note = st.text_input("备注", value=row["note"] if pd.notna(row["note"]) else "")
            if pd.notna(row["source"]) and row["source"] != "填报":
                st.caption(f"未填实际日期时，按{row['source']}计。")
            if st.form_submit_button("保存节点"):
                done = _write(
                    store.edit,
                    user,
                    project_id,
                    name,
                    planned=planned,
                    actual=actual,
                    note=note,
                    unit=unit,
                )
                if done:
                    st.session_state[FLASH] = f"已保存节点“{name}”"
                    st.rerun()


def rates(figures: dict) -> None:
    """The rates as figures, each with its numerator and denominator in words."""
    with st.container(horizontal=True, gap="small"):
        for rate in figures["rates"].values():
            shown = "—" if rate["rate"] is None else f"{rate['rate'] * 100:.1f}%"
            st.metric(
                rate["name"],
                shown,
                rate["words"],
                delta_color="off",
                delta_arrow="off",
                width="content",
            )


def exception_table(table: pd.DataFrame, kind: str, key: str) -> None:
    if table.empty:
        st.caption(f"没有{kind}的项目。")
        return
    shown = _dates(table, ("planned",)).rename(
        columns={
            "unit": "责任单位",
            "project": "项目",
            "code": "项目代码",
            "planned": "计划日期",
            "days": "已过天数",
        }
    )
    st.dataframe(
        shown.drop(columns=["id"]),
        hide_index=True,
        width="stretch",
        key=key,
        height="content" if len(shown) <= 20 else 600,
    )


def node_list(table: pd.DataFrame, key: str, empty: str, days: str = "超期天数") -> None:
    if table.empty:
        st.caption(empty)
        return
    shown = _dates(table, ("planned",))[list(LIST)].rename(columns=LIST | {"days": days})
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key=key,
        height="content" if len(shown) <= 20 else 600,
    )

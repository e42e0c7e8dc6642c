"""The 问题督办 and 我的 pages' parts: cached reads of the ledger, the ledger as a table, a
problem's card and detail with its history, the figures by unit and type.

Reads are cached on the data version and the problems' own version (a note changes the
ledger, not the dashboard's figures, so it does not make their caches stale) and on the day:
the colours change from one day to the next without any write.
Text people typed is shown as typed: tables (st.dataframe shows no Markdown) or markdown
escaped by tables.literal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from ui import data
from ui.table_download import csv_button
from xzcore.display import fmt, tables
from xzcore.problems import ledger, model, store
from xzcore.store import db

_FLASH = "problems_flash"
# Absolute, as the router registers it: a relative path is resolved against the script that
# runs, which is pages/mine.py itself when a direct link reaches a freshly started server.
PAGE = Path(__file__).resolve().parent.parent / "pages" / "problems.py"
# The worst rows a page lists (the CSV has all): a table of 5,000 styled rows costs the server
# and the browser more than anyone reads.
SHOWN = 200
MINE_SHOWN = 30  # cards on a phone: the most urgent
MARKS = {model.RED: "■ 红色督办", model.YELLOW: "▲ 黄色督办", model.BLUE: "◆ 蓝色督办"}
STYLES = {
    MARKS[model.RED]: "background-color: #fde2e1; color: #8a1c14",
    MARKS[model.YELLOW]: "background-color: #fff1d6; color: #7a4b00",
    MARKS[model.BLUE]: "background-color: #e1ecfb; color: #17457a",
}
_MARKDOWN = {model.RED: "red", model.YELLOW: "orange", model.BLUE: "blue"}
COLUMNS = {
    "id": "编号",
    "mark": "督办",
    "colour_reason": "督办原因",
    "state": "状态",
    "project": "项目",
    "category": "类型",
    "description": "问题描述",
    "lead_unit": "主办单位",
    "leader": "协调区领导",
    "raised_on": "提出日期",
    "due_on": "办结时限",
    "source": "来源",
}
GROUP_COLUMNS = {
    "raised": "问题数",
    "closed": "已办结",
    "rate": "办结率",
    "open": "未办结",
    "overdue": "逾期未办结",
    "days_to_close": "平均办结天数",
}


def today() -> dt.date:
    return dt.date.today()


def version() -> str:
    """The cache key of everything on these pages. The file's path is in it because the tests
    open many databases in one process whose versions look alike while their problems differ."""
    with data.cursor() as con:
        return f"{db.db_path()}|{data.data_version()}|{ledger.version(con)}"


# The ledger and what is drawn of it are kept as they are made (cache_resource: shared, never
# changed by anyone): st.cache_data would unpickle 5,000 rows into every rerun.
@st.cache_resource(show_spinner=False, max_entries=16)
def table(version: str, day: dt.date) -> pd.DataFrame:
    """The whole ledger with its colours on the day, overdue first."""
    with data.cursor() as con:
        return ledger.ledger(con, day)


@dataclass(frozen=True)
class Listing:
    """What the page draws of the ledger under its filters."""

    found: pd.DataFrame  # the problems kept, overdue first
    shown: pd.DataFrame  # the same as the table shows them (the CSV has every row)
    totals: dict
    colours: dict  # 红/黄/蓝 → how many
    by_unit: pd.DataFrame
    by_type: pd.DataFrame
    by_leader: pd.DataFrame


@st.cache_resource(show_spinner=False, max_entries=32)
def listing(version: str, day: dt.date, chosen: tuple) -> Listing:
    found = ledger.filtered(table(version, day), dict(chosen))
    counts = found["colour"].value_counts()
    return Listing(
        found,
        view(found),
        ledger.totals(found),
        {c: int(counts.get(c, 0)) for c in model.COLOURS},
        _named(ledger.counts(found, "lead_unit"), "lead_unit"),
        _named(ledger.counts(found, "category"), "category"),
        _named(ledger.counts(found, "leader"), "leader"),
    )


def _named(grouped: pd.DataFrame, by: str) -> pd.DataFrame:
    return grouped.rename(columns={by: ledger.GROUPS[by]} | GROUP_COLUMNS)


@st.cache_resource(show_spinner=False, max_entries=16)
def choices(version: str, day: dt.date) -> dict[str, list]:
    """The values the filters offer: the units, leaders and projects the ledger names."""
    whole = table(version, day)
    return {c: sorted(whole[c].dropna().unique()) for c in ("lead_unit", "leader", "project")}


@st.cache_data(show_spinner=False, max_entries=64)
def history(version: str, problem_id: int) -> pd.DataFrame:
    with data.cursor() as con:
        return ledger.history(con, problem_id)


@st.cache_data(show_spinner=False, max_entries=4)
def projects(version: str) -> pd.DataFrame:
    with data.cursor() as con:
        return ledger.projects(con)


@st.cache_data(show_spinner=False, max_entries=4)
def thresholds(version: str) -> model.Thresholds:
    with data.cursor() as con:
        return store.thresholds(con)


def filters(version: str, day: dt.date) -> tuple:
    """The filters (unit, leader, type, state, colour, project): what was chosen, as a key."""
    offered = choices(version, day)
    with st.expander("筛选", expanded=False):
        left, middle, right = st.columns(3)
        chosen = {
            "lead_unit": left.multiselect("主办单位", offered["lead_unit"], key="pf_unit"),
            "leader": middle.multiselect("协调区领导", offered["leader"], key="pf_leader"),
            "category": right.multiselect("类型", model.CATEGORIES, key="pf_category"),
            "state": left.multiselect("状态", model.STATES, key="pf_state"),
            "colour": middle.multiselect("督办颜色", model.COLOURS, key="pf_colour"),
            "project": right.multiselect("项目", offered["project"], key="pf_project"),
        }
    return tuple((k, tuple(v)) for k, v in chosen.items() if v)


_OPEN, _LINKED = "problems_open", "problems_open_linked"


def chosen(listing_: Listing, whole: pd.DataFrame) -> dict | None:
    """The problem to open: picked among the rows listed, or named in the link (?problem=12,
    which 我的 links to) even when the filters hide it."""
    listed = listing_.found.head(SHOWN)
    pairs = zip(listed["id"], listed["description"], strict=True)
    labels = {int(i): f"#{i} {d[:30]}" for i, d in pairs}
    asked = st.query_params.get("problem", "")
    wanted = int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 10 else None
    if wanted is not None and wanted not in labels and wanted in set(whole["id"]):
        labels = {wanted: f"#{wanted}"} | labels
    # The link wins when it names another problem than the one last opened here (a click in
    # 我的); otherwise the pick stands. Session state, not index=: a pick survives reruns.
    if wanted in labels and wanted != st.session_state.get(_LINKED):
        st.session_state[_OPEN] = wanted
    if st.session_state.get(_OPEN) not in labels:
        st.session_state[_OPEN] = None
    picked = st.selectbox(
        "打开问题",
        list(labels),
        format_func=labels.get,
        placeholder="选择一个问题查看详情与办理",
        key=_OPEN,
    )
    if picked is None:
        return None
    st.query_params["problem"] = str(picked)
    st.session_state[_LINKED] = picked
    return whole[whole["id"] == picked].iloc[0].to_dict()


def flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:  # may quote what someone typed
        st.success(tables.literal(message), icon=":material/check_circle:")


def done(message: str) -> None:
    st.session_state[_FLASH] = message
    st.rerun()


def colour_text(colour: str | None) -> str:
    """A colour as coloured Markdown with its symbol and word, never colour alone."""
    if colour not in MARKS:
        return ""
    return f":{_MARKDOWN[colour]}[{MARKS[colour]}]"


def rule_caption(version: str) -> None:
    limits = thresholds(version)
    st.caption(
        f"三色督办：**红** 逾期未办结；**黄** 连续{limits.stale}天无办理进展，或申请办结被退回；"
        f"**蓝** 距办结时限{limits.due_soon}天以内。暂缓和待交办的问题不督办。"
    )


def view(found: pd.DataFrame) -> pd.DataFrame:
    """The ledger's rows as the page shows them: Chinese headers, the colour as a mark."""
    shown = found.assign(
        mark=found["colour"].map(MARKS).fillna(""),
        raised_on=found["raised_on"].dt.strftime("%Y-%m-%d"),
        due_on=found["due_on"].dt.strftime("%Y-%m-%d"),
    )
    # an empty cell, not the word None, where a problem names no project or leader
    return shown[list(COLUMNS)].fillna("").rename(columns=COLUMNS)


def _day(value) -> str:
    return "" if value is None or pd.isna(value) else f"{value:%Y-%m-%d}"


def ledger_table(listing_: Listing, *, key: str, file_name: str = "问题台账") -> None:
    """The most urgent SHOWN rows in their colours, and a CSV of them all."""
    shown = listing_.shown
    if len(shown) > SHOWN:
        st.caption(f"共 {len(shown)} 个问题，列出最紧迫的 {SHOWN} 个；下载 CSV 得到全部。")
    styled = shown.head(SHOWN).style.map(lambda mark: STYLES.get(mark, ""), subset=["督办"])
    st.dataframe(styled, hide_index=True, width="stretch", key=key)
    csv_button(shown, file_name, key=f"{key}_csv")


def figures(listing_: Listing) -> None:
    """The figures of what is shown: raised, closed, 办结率, and the three colours."""
    whole, colours = listing_.totals, listing_.colours
    with st.container(horizontal=True):
        st.metric("问题数", f"{whole['raised']} 个", width="content")
        st.metric("已办结", f"{whole['closed']} 个", width="content")
        st.metric("办结率", fmt.percent(whole["rate"]), width="content")
        for colour in model.COLOURS:
            st.metric(MARKS[colour], f"{colours[colour]} 个", width="content")


def by_group(grouped: pd.DataFrame, *, key: str) -> None:
    """Counts and 办结率 of a grouping (Listing.by_unit, by_type or by_leader)."""
    st.dataframe(
        grouped,
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            "办结率": st.column_config.NumberColumn(format="percent"),
            "平均办结天数": st.column_config.NumberColumn(format="%.1f"),
        },
    )


def card(row: dict) -> None:
    """One problem in a few lines, for a phone: colour and why, project, what, who, when."""
    with st.container(border=True):
        head = f"**#{row['id']}** {colour_text(row['colour'])} {row['state']}"
        st.markdown(head)
        if row["colour_reason"]:
            st.caption(tables.literal(row["colour_reason"]))
        if row["project"]:
            st.markdown(f"项目：{tables.literal(row['project'])}")
        st.markdown(tables.literal(row["description"]))
        who = row["lead_unit"] or ledger.NOT_ASSIGNED
        st.caption(f"主办：{tables.literal(who)}　时限：{_day(row['due_on']) or '未定'}")


def detail(row: dict, steps: pd.DataFrame) -> None:
    """A problem's fields, the leaders' 批示 apart, then its history oldest first."""
    st.subheader(f"问题 #{row['id']}　{row['state']}", anchor=False)
    if row["colour"]:
        st.markdown(f"{colour_text(row['colour'])}：{tables.literal(row['colour_reason'])}")
    fields = {
        "项目": row["project"],
        "来源": row["source"],
        "类型": row["category"],
        "问题描述": row["description"],
        "需协调事项": row["request"],
        "主办单位": row["lead_unit"],
        "协办单位": "、".join(row["support_units"]),
        "协调区领导": row["leader"],
        "提出日期": _day(row["raised_on"]),
        "办结时限": _day(row["due_on"]),
        "办结方式": row["closure"],
    }
    lines = [f"- **{k}**：{tables.literal(v)}" for k, v in fields.items() if _said(v)]
    st.markdown("\n".join(lines))
    said = steps[steps["kind"] == "instruct"]
    if not said.empty:
        st.markdown("**领导批示**")
        for step in said.itertuples():
            st.info(
                f"{tables.literal(step.who)}（{step.at:%Y-%m-%d}）：{tables.literal(step.text)}",
                icon=":material/edit_note:",
            )
    st.markdown("**办理记录**")
    kept = steps[steps["kind"] != "instruct"]
    st.dataframe(
        pd.DataFrame(
            {
                "时间": kept["at"].map(lambda t: f"{t:%Y-%m-%d %H:%M}"),
                "事项": kept["kind"].map(KINDS),
                "经办人": kept["who"],
                "内容": kept["text"],
                "办理后状态": kept["state"],
            }
        ),
        hide_index=True,
        width="stretch",
    )


KINDS = {
    "create": "登记",
    "assign": "交办",
    "note": "办理进展",
    "request": "申请办结",
    "close": "销号",
    "return": "退回",
    "hold": "暂缓",
    "resume": "恢复办理",
}


def _said(value) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and value != ""


@st.cache_data(show_spinner=False, max_entries=64)
def mine(version: str, day: dt.date, user) -> pd.DataFrame:
    """The open problems on this user's plate, overdue first (ledger.mine)."""
    with data.cursor() as con:
        return ledger.mine(con, user, day)


def red_lights(user) -> tuple[str | None, pd.DataFrame]:
    """The latest month this user may see and, in it, the red lights of the projects of the
    user's units (staff) or that he is 联系区领导 of (a leader, by his display name)."""
    version_ = data.data_version()
    month = data.default_month(version_, user)
    if month is None or user.role not in ("staff", "viewer"):
        return month, pd.DataFrame()
    whose = (
        ("unit", tuple(user.units)) if user.role == "staff" else ("leader", (user.display_name,))
    )
    return month, data.lights(version_, month, (whose, ("light", ("red",))))


def has_projects(user) -> bool:
    """Whether any project names the user's units (staff) or his name as 联系区领导 (a leader):
    a leader's account whose name is not the title the register uses finds none."""
    listed = projects(version())
    if user.role == "staff":
        return bool(listed["unit"].isin(user.units).any())
    return bool((listed["leader"] == user.display_name).any())


def open_link(problem_id: int) -> None:
    st.page_link(PAGE, label="查看与办理", icon=":material/open_in_new:",
                 query_params={"problem": str(problem_id)})  # fmt: skip


# --- for the pages of others: what the project page and the overview would show -------------


def project_problems(project_id: int) -> None:
    """A project's problems, open ones first, each with its colour and a link to it (for the
    project page: 项目详情 lists its problems)."""
    found = table(version(), today())
    mine_ = found[found["project_id"] == project_id]
    st.markdown(f"**协调问题（{int(mine_['open'].sum())} 个未办结）**")  # as the page's others
    if mine_.empty:
        st.caption("这个项目没有登记协调问题。")
        return
    for row in mine_.to_dict("records"):
        card(row)
        open_link(row["id"])


def open_counts() -> None:
    """未办结 and 逾期未办结 problems of the whole district (for the overview)."""
    whole = ledger.totals(table(version(), today()))
    with st.container(horizontal=True):
        st.metric("未办结问题", f"{whole['open']} 个", width="content")
        st.metric("逾期未办结问题", f"{whole['overdue']} 个", width="content")

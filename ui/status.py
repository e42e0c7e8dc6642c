"""The 报送情况 page's parts: which month, who has reported (units × months), the office's
review of a unit, 催报 texts to copy, and publishing the month (ui.status_publish).

Figures are cached on the data version (a review or a publish changes it) and on the day:
deadlines fall at midnight, so whether a report is late changes only from one day to the next.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from ui import controls, data, formats
from xzcore import auth
from xzcore.cycle import months, status
from xzcore.display import tables
from xzcore.errors import XZError
from xzcore.figures import metrics
from xzcore.period import Month

_FLASH = "status_flash"
LATE, DONE, PART, WAITING = "#fde2e1", "#e2f0d9", "#fff1d6", "#f2f2f2"
_STYLES = {"已确认": DONE, "已报送": DONE, "部分报送": PART, "退回": PART, "未报送": WAITING}


def today() -> str:
    return dt.date.today().isoformat()


def _now() -> dt.datetime:
    return dt.datetime.now()


@st.cache_data(show_spinner=False, max_entries=64)
def units(version: str, month: str, day: str) -> pd.DataFrame:
    with data.cursor() as con:
        return status.units(con, Month.parse(month), _now())


@st.cache_data(show_spinner=False, max_entries=16)
def timeliness(version: str, year: int, upto: str, day: str) -> pd.DataFrame:
    with data.cursor() as con:
        return status.timeliness(con, year, Month.parse(upto), _now())


@st.cache_data(show_spinner=False, max_entries=64)
def remind(version: str, month: str, unit: str | None, day: str) -> str:
    with data.cursor() as con:
        return status.remind(con, Month.parse(month), unit, _now())


@st.cache_data(show_spinner=False, max_entries=16)
def published_months(version: str) -> list[str]:
    with data.cursor() as con:
        return [str(m) for m in months.published(con)]


@st.cache_data(show_spinner=False, max_entries=16)
def month_states(version: str, day: str) -> dict[str, str | None]:
    """Every month that may be looked at, newest first → its state (None: nothing reported)."""
    with data.cursor() as con:
        return {str(m): state for m, state in months.of_record(con).items()}


@st.cache_data(show_spinner=False, max_entries=16)
def default_month(version: str, day: str) -> str | None:
    with data.cursor() as con:
        chosen = months.to_review(con)
    return None if chosen is None else str(chosen)


@st.cache_data(show_spinner=False, max_entries=16)
def has_reports(version: str, month: str) -> bool:
    with data.cursor() as con:
        return Month.parse(month) in metrics.available_months(con)


def returned(version: str, month: str, unit_names: tuple[str, ...]) -> list[dict]:
    """The 退回 reasons standing for these units in the month (a staff member's upload page)."""
    table = units(version, month, today())
    if table.empty:
        return []
    hit = table[(table.state == "退回") & table.unit.isin(unit_names)]
    return hit[["unit", "review_reason", "reviewed_by"]].to_dict("records")


def _when(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:%Y-%m-%d %H:%M}"


def flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:  # names a unit and a reason as typed
        st.success(tables.literal(message), icon=":material/check_circle:")


def done(message: str) -> None:
    st.session_state[_FLASH] = message
    st.rerun()


def choose_month(version: str) -> str | None:
    states = month_states(version, today())
    if not states:
        st.info("还没有年度计划，也没有任何月报：导入项目计划表后即可开始报送。")
        return None
    options = list(states)
    default = default_month(version, today())
    # the label names the month only: a state in it would go stale on screen after publishing
    # (the browser keeps the chosen option's old text); the header below says the state
    return st.selectbox(
        "报告月份",
        options,
        index=options.index(default) if default in options else 0,
        format_func=lambda m: f"{Month.parse(m).year}年{Month.parse(m).month}月",
        key="status_month",
    )


def late(row) -> bool:
    """Overdue now, or every report in but the first came after the deadline."""
    return bool(row["overdue"]) or (row["reported"] == row["projects"] and not row["on_time"])


def cell(row) -> str:
    """A unit's month in the grid: state, how many (when partial), the last upload, 逾期."""
    text = row["state"]
    if row["state"] in ("部分报送", "退回"):
        text += f" {row['reported']}/{row['projects']}"
    if row["last_at"] is not None and not pd.isna(row["last_at"]):
        text += f" {row['last_at']:%m-%d %H:%M}"
    return text + (" 逾期" if late(row) else "")


def header(version: str, month: str) -> None:
    """The month's state: collecting with how much is in and the deadline, or its versions."""
    period = Month.parse(month)
    table = units(version, month, today())
    with data.cursor() as con:
        deadline = status.deadline(con, period)
    due = f"截止 {status.deadline_text(deadline)}"
    found = data.versions(version, month)
    if found:
        latest = found[-1]
        st.success(
            f"{period.year}年{period.month}月已发布：第 {latest.version} 版，"
            f"{latest.published_at:%Y-%m-%d %H:%M} 由 {latest.published_by} 发布"
            f"（报送{due}）。发布后的更正须填写理由，生成新版本，原版本仍可查看。",
            icon=":material/verified:",
        )
        shown = pd.DataFrame(
            {
                "版本": [f"第 {v.version} 版" for v in found],
                "发布时间": [f"{v.published_at:%Y-%m-%d %H:%M}" for v in found],
                "发布人": [v.published_by for v in found],
                "更正理由": [v.reason or ("首次发布" if v.version == 1 else "—") for v in found],
                "变更项目数": [
                    "—" if v.changes is None else str(v.changes.get("count", 0)) for v in found
                ],
                "已报送项目": [f"{v.reported}/{v.projects}" for v in found],
            }
        )
        st.dataframe(shown, hide_index=True, width="stretch")
        return
    counts = data.banner(version, month) or ""
    overdue = int(table["overdue"].sum()) if not table.empty else 0
    passed = _now() >= deadline
    text = f"{period.year}年{period.month}月" + (
        f"{counts}，报送{due}" if counts else f"尚无单位报送，报送{due}"
    )
    if passed and overdue:
        st.warning(f"{text}；已过截止日，{overdue} 个单位逾期。", icon=":material/schedule:")
    else:
        st.info(text + "。", icon=":material/schedule:")


def grid(version: str, month: str) -> None:
    """Units × the year's months to the chosen one: state and time, 逾期, and 报送及时率."""
    period = Month.parse(month)
    day = today()
    columns: dict[str, dict[str, str]] = {}
    late_cells: set[tuple[str, str]] = set()
    chosen = range(period.month, 0, -1)  # the chosen month first, beside the unit
    with data.cursor() as con:
        deadlines = {m: status.deadline(con, Month(period.year, m)) for m in chosen}
    for m in chosen:
        name = f"{m}月（截止{status.deadline_text(deadlines[m])}）"
        table = units(version, str(Month(period.year, m)), day)
        columns[name] = {}
        for row in table.to_dict("records"):
            columns[name][row["unit"]] = cell(row)
            if late(row):
                late_cells.add((row["unit"], name))
    rates = timeliness(version, period.year, month, day)
    frame = pd.DataFrame(columns)
    frame.index.name = "责任单位"
    rate = {
        r["unit"]: f"{r['on_time']}/{r['due']}（{r['rate']:.0%}）" for r in rates.to_dict("records")
    }
    frame.insert(0, "报送及时率", [rate.get(u, "—") for u in frame.index])
    frame = frame.fillna("—").reset_index()
    st.subheader(f"{period.year}年各单位报送情况", anchor=False)
    st.caption(
        "每格：状态、最后上传时间；“逾期”为截止日后仍未报齐或报齐时已过截止日。"
        "报送及时率 = 截止日前报齐的月数 ÷ 已到截止日的月数。"
    )

    def paint(row):
        out = []
        for name, value in row.items():
            if (row["责任单位"], name) in late_cells:
                out.append(f"background-color: {LATE}")
            else:
                state = str(value).split(" ")[0]
                out.append(f"background-color: {_STYLES[state]}" if state in _STYLES else "")
        return out

    st.dataframe(
        frame.style.apply(paint, axis=1),
        hide_index=True,
        width="stretch",
        height=formats.table_height(len(frame), 700),
        column_config={"责任单位": st.column_config.TextColumn(pinned=True)},
    )


def month_table(version: str, month: str) -> pd.DataFrame:
    """The chosen month per unit: state, counts, last upload, review, the projects missing."""
    table = units(version, month, today())
    if table.empty:
        return table
    return pd.DataFrame(
        {
            "责任单位": table["unit"],
            "状态": table["state"],
            "已报送": [f"{r}/{p}" for r, p in zip(table.reported, table.projects, strict=True)],
            "最后上传": table["last_at"].map(_when),
            "逾期": [("逾期" if late(r) else "") for r in table.to_dict("records")],
            "审核人": table["reviewed_by"].fillna("—"),
            "退回原因": table["review_reason"].fillna(""),
            "未报送项目数": table["missing"].map(len),
            "未报送项目": table["missing"].map("、".join),
        }
    )


def month_units(version: str, month: str) -> None:
    period = Month.parse(month)
    st.subheader(f"{period.year}年{period.month}月各单位明细", anchor=False)
    shown = month_table(version, month)
    if shown.empty:
        st.info(f"{period.year}年没有计划内的项目。")
        return
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=formats.table_height(len(shown), 520),
        column_config={
            "责任单位": st.column_config.TextColumn(pinned=True),
            "未报送项目": st.column_config.TextColumn(width="large"),
        },
    )


def unit_panel(user: auth.User, version: str, month: str) -> None:
    """One unit: its missing projects, its 催报 text, and the office's 确认 / 退回."""
    table = units(version, month, today())
    if table.empty:
        return
    rows = {r["unit"]: r for r in table.to_dict("records")}
    order = sorted(rows, key=lambda u: (not late(rows[u]), u))  # late units first
    with st.container(border=True):
        unit = st.selectbox(
            "单位", order, format_func=lambda u: f"{u}（{rows[u]['state']}）", key="status_unit"
        )
        row = rows[unit]
        st.markdown(
            f"**{tables.literal(unit)}**　{row['state']}　已报送 {row['reported']}/"
            f"{row['projects']} 个项目　最后上传 {_when(row['last_at'])}"
            + ("　**逾期**" if late(row) else "")
        )
        if isinstance(row["review_reason"], str):  # NaN (no review) is truthy too
            st.caption(f"退回原因：{tables.literal(row['review_reason'])}")
        if row["missing"]:
            names = tables.literal("、".join(row["missing"]))
            st.markdown(f"未报送的 {len(row['missing'])} 个项目：{names}")
        st.caption("催报（点右上角复制，发到工作群）")
        st.code(remind(version, month, unit, today()), language=None, wrap_lines=True)
        if data.versions(version, month):
            st.caption("本月已发布，不能再审核；如需更正，请在上传页上传更正数据并填写理由。")
            return
        _review(user, month, unit, row)


def _review(user: auth.User, month: str, unit: str, row: dict) -> None:
    reason = controls.reason(
        "退回理由（填报单位会在上传页看到）",
        f"status_reason_{month}_{unit}",
        "益创项目本月累计低于上月，请核实后重报",
    )
    left, right = st.columns(2)
    confirm = left.button(
        "确认", key=f"status_confirm_{month}_{unit}", disabled=not row["reported"],
        icon=":material/task_alt:", width="stretch",
    )  # fmt: skip
    send_back = right.button(
        "退回", key=f"status_return_{month}_{unit}", disabled=not reason,
        icon=":material/undo:", width="stretch",
    )  # fmt: skip
    if not reason:
        st.caption("退回须先填写理由。")
    if not (confirm or send_back):
        return
    state = "confirmed" if confirm else "returned"
    try:
        with data.writing() as con:
            status.review(con, user, Month.parse(month), unit, state, reason or None)
    except XZError as exc:
        st.error(tables.literal(str(exc)), icon=":material/error:")
        return
    done(
        f"已确认 {unit} {month} 的月报。"
        if confirm
        else f"已退回 {unit} {month} 的月报（理由：{reason}），该单位填报员会在上传页看到。"
    )


def remind_all(version: str, month: str) -> None:
    st.subheader("催报（全部未报齐单位）", anchor=False)
    st.caption("可直接复制发到工作群；每个单位的催报见上方单位明细。")
    st.code(remind(version, month, None, today()), language=None, wrap_lines=True)

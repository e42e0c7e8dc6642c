"""How the tables of xzcore.display.tables are drawn: one set of number formats for every page, and
lights in their colours (with the symbol and the word, never colour alone)."""

from __future__ import annotations

import html
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from xzcore import rules
from xzcore.display import tables

NUMBERS = {
    "年度计划（亿元）": st.column_config.NumberColumn(format="%.2f"),
    "累计完成（亿元）": st.column_config.NumberColumn(format="%.2f"),
    "年度计划（万元）": st.column_config.NumberColumn(format="localized"),
    "累计完成（万元）": st.column_config.NumberColumn(format="localized"),
    "完成率": st.column_config.NumberColumn(format="%.1f%%"),
    "时序进度": st.column_config.NumberColumn(format="%.1f%%"),
}


# Rows taller than 4rem let the data grid wrap a cell's text: three lines
WRAPPED_ROW = 72


def table_height(rows: int, most: int) -> int:
    """The height in px that shows a table's rows whole (the grid draws a 38 px header and
    35 px rows), at most `most`: a longer table scrolls inside it."""
    return min(most, 38 + 35 * rows)


# A list of projects shows at most this many rows, the worst first; its CSV holds them all. The
# 5,000 red and yellow projects of a 10,000-project district were 1.4 MB of table on every view.
LISTED_ROWS = 500
# A light on a phone's card: dark text on a pale fill of its colour
LIGHT_STYLES = {
    tables.LIGHT_MARKS["green"]: "background-color: #e3f4e8; color: #1b6b36",
    tables.LIGHT_MARKS["yellow"]: "background-color: #fff1d6; color: #7a4b00",
    tables.LIGHT_MARKS["red"]: "background-color: #fde2e1; color: #8a1c14",
}
# Streamlit's Markdown colours for a light written in text (st.metric, st.markdown)
_MARKDOWN_COLOURS = {"green": "green", "yellow": "orange", "red": "red"}


LIGHT_COLUMNS = ("亮灯", "上月", "本月")  # 上月/本月: the lights of 进度滞后's changes list
# A light in a table: a label in its light's colour, the symbol and the word on it. The grid
# draws it from the column's configuration; a pandas Styler colouring the cells cost 7–30 ms of
# server time a table on every run (60 of 投资完成's 160 ms). The yellow is lighter than the
# charts' so that the grid writes dark text on it.
_LABEL_COLOURS = {"green": "#2e9d4f", "yellow": "#f2b705", "red": "#c0392b"}
NOT_LIT = "—"  # a month without a light


def light_column(width: int | None = None):
    return st.column_config.MultiselectColumn(
        width=width,
        options=[tables.LIGHT_MARKS[k] for k in rules.LIGHTS],
        color=[_LABEL_COLOURS[k] for k in rules.LIGHTS],
    )


# Every table's column formats: its numbers and its lights
COLUMNS = NUMBERS | {column: light_column() for column in LIGHT_COLUMNS}


def lit(table: pd.DataFrame) -> pd.DataFrame:
    """The table as its lights are drawn (COLUMNS colours them): a month without one says so."""
    columns = [c for c in LIGHT_COLUMNS if c in table.columns]
    return table.fillna(dict.fromkeys(columns, NOT_LIT)) if columns else table


def light_text(light: str | None) -> str:
    """A light as coloured Markdown: :red[■ 红灯]; 未亮灯 when the month has none."""
    if light not in _MARKDOWN_COLOURS:
        return "未亮灯"
    return f":{_MARKDOWN_COLOURS[light]}[{tables.LIGHT_MARKS[light]}]"


def ranking(groups: list[dict], column: str) -> None:
    """The 晾晒 ranking table of one grouping."""
    st.dataframe(
        lit(tables.ranking(groups, column)), hide_index=True, width="stretch", column_config=COLUMNS
    )


# A phone shows a list of projects as cards, this many at most (the worst first, as the table):
# a leader reads the top of a list on a phone; the whole list is on a wide screen and in its CSV.
CARD_ROWS = 100


def wide(key: str):
    """The container of a project table, hidden on a phone (ui/screen.css), where cards() stand
    in for it: Streamlit knows nothing of the screen's width, so both are sent and a media
    query shows one."""
    return st.container(key=f"xz_wide_{key}")


def cards(rows: pd.DataFrame, key: str, month: str, light: str = "亮灯", reasons=("原因",)) -> None:
    """The projects of a table as cards for a phone: name (a link to its page), light, reason,
    unit and township; shown only on a narrow screen, in place of the table."""
    shown = rows.head(CARD_ROWS)
    parts = ['<div class="xz-card-more">点项目名称打开项目详情。</div>']
    parts += [_card(r, month, light, reasons) for r in shown.to_dict("records")]
    if len(rows) > len(shown):
        parts.append(
            f'<div class="xz-card-more">手机上列出前 {len(shown)} 个（共 {len(rows)} 个）；'
            "全部请在电脑上查看或「下载 CSV」。</div>"
        )
    with st.container(key=f"xz_cards_{key}"):
        st.html("".join(parts))


def _card(row: dict, month: str, light: str, reasons) -> str:
    def text(value) -> str:  # names and reasons come from uploads: shown as typed
        return "" if value is None or value != value else html.escape(str(value))

    link = "project?" + urlencode({"project": int(row["id"]), "month": month})
    mark = row.get(light)
    why = "；".join(text(row[c]) for c in reasons if text(row.get(c)))
    where = " · ".join(text(row[c]) for c in ("责任单位", "镇街道") if text(row.get(c)))
    return (
        f'<div class="xz-card"><a href="{link}" target="_self">{text(row["项目名称"])}</a>'
        f'<span class="xz-card-light" style="{LIGHT_STYLES.get(mark, "")}">{text(mark)}</span>'
        + (f'<div class="xz-card-reason">{why}</div>' if why else "")
        + (f'<div class="xz-card-unit">{where}</div>' if where else "")
        + "</div>"
    )

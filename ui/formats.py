"""How the tables of xzcore.tables are drawn: one set of number formats for every page, and
lights in their colours (with the symbol and the word, never colour alone)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from xzcore import tables

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
# A list of projects shows at most this many rows, the worst first; its CSV holds them all. The
# 5,000 red and yellow projects of a 10,000-project district were 1.4 MB of table on every view.
LISTED_ROWS = 500
# A light's cell: dark text on a pale fill of its colour, readable on screen and when printed
LIGHT_STYLES = {
    tables.LIGHT_MARKS["green"]: "background-color: #e3f4e8; color: #1b6b36",
    tables.LIGHT_MARKS["yellow"]: "background-color: #fff1d6; color: #7a4b00",
    tables.LIGHT_MARKS["red"]: "background-color: #fde2e1; color: #8a1c14",
}
# Streamlit's Markdown colours for a light written in text (st.metric, st.markdown)
_MARKDOWN_COLOURS = {"green": "green", "yellow": "orange", "red": "red"}


LIGHT_COLUMNS = ("亮灯", "上月", "本月")  # 上月/本月: the lights of 进度滞后's changes list


def lit(table: pd.DataFrame):
    """The table with each light cell in its light's colour (a Styler: the values stay as they
    are, and the column formats of NUMBERS still apply)."""
    columns = [c for c in LIGHT_COLUMNS if c in table.columns]
    return table.style.map(lambda mark: LIGHT_STYLES.get(mark, ""), subset=columns)


def light_text(light: str | None) -> str:
    """A light as coloured Markdown: :red[■ 红灯]; 未亮灯 when the month has none."""
    if light not in _MARKDOWN_COLOURS:
        return "未亮灯"
    return f":{_MARKDOWN_COLOURS[light]}[{tables.LIGHT_MARKS[light]}]"


def ranking(groups: list[dict], column: str) -> None:
    """The 晾晒 ranking table of one grouping."""
    st.dataframe(
        lit(tables.ranking(groups, column)), hide_index=True, width="stretch", column_config=NUMBERS
    )

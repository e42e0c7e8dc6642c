"""How the tables of xzcore.tables are drawn: one set of number formats for every page."""

from __future__ import annotations

import streamlit as st

from xzcore import tables

NUMBERS = {
    "年度计划（亿元）": st.column_config.NumberColumn(format="%.2f"),
    "累计完成（亿元）": st.column_config.NumberColumn(format="%.2f"),
    "年度计划（万元）": st.column_config.NumberColumn(format="localized"),
    "累计完成（万元）": st.column_config.NumberColumn(format="localized"),
    "完成率": st.column_config.NumberColumn(format="%.1f%%"),
    "时序进度": st.column_config.NumberColumn(format="%.1f%%"),
    "滞后（百分点）": st.column_config.NumberColumn(format="%+.1f"),
}


def ranking(groups: list[dict], column: str) -> None:
    """The 晾晒 ranking table of one grouping."""
    st.dataframe(
        tables.ranking(groups, column), hide_index=True, width="stretch", column_config=NUMBERS
    )

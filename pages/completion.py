"""投资完成: completion by unit, township, tier, category and leader, with the 晾晒 ranking."""

import streamlit as st

from ui import controls, data, formats, shell, table_download
from xzcore.display import slide_plan, tables
from xzcore.figures.frame import GROUP_COLUMNS

user = shell.page()
version = data.data_version()
view = controls.view(version, user)
controls.header("投资完成", view, version)
total = data.summary(version, view.month, tuple(GROUP_COLUMNS), view.filters, view.edition)
if not total["projects"]:  # the filters keep nothing: words, not empty axes
    st.info(controls.NOTHING_MATCHES)
    st.stop()

info = data.rules_info(version, view.month, view.edition)
st.caption(slide_plan.bar_legend(info, "各组") + "。点击柱子即筛选到该组。")
# The units' ranking first: it is what the monthly 晾晒 is about; then the townships
ORDER = ("unit", "township", *(c for c in GROUP_COLUMNS if c not in ("unit", "township")))
for tab, column in zip(st.tabs([GROUP_COLUMNS[c] for c in ORDER]), ORDER, strict=True):
    with tab:
        groups = total["groups"][column]
        key = f"completion_{column}"
        controls.group_chart(st, version, view, column, key)
        formats.ranking(groups, column)
        table_download.csv_button(
            tables.ranking(groups, column),
            f"各{GROUP_COLUMNS[column]}晾晒排名_{view.month}",
            key=f"csv_{column}",
        )

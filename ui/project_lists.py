"""A list of projects as every page shows one: the worst formats.LISTED_ROWS rows in a table
whose ticked row opens the project (cards instead on a phone), and a CSV with all of them."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from ui import controls, formats, table_download


def show(
    table: pd.DataFrame,
    csv: pd.DataFrame,
    *,
    key: str,
    order: list[str],
    columns: dict,
    month: str,
    file_name: str,
    csv_key: str,
    light: str = "亮灯",
    reasons: tuple[str, ...] = ("原因",),
    first: str = "最差的",
    height="auto",
) -> None:
    """table: the projects in the order shown (an "id" column for opening one); csv: what the
    download holds; first: how the caption names the rows shown when some are left out."""
    shown = table.head(formats.LISTED_ROWS)
    if len(table) > len(shown):
        st.caption(f"下表列出{first} {len(shown)} 个（共 {len(table)} 个）；「下载 CSV」含全部。")
    with formats.wide(key):  # a phone gets the cards below instead (ui/screen.css)
        st.dataframe(
            formats.lit(shown),
            hide_index=True,
            width="stretch",
            height=height,
            column_config=columns,
            column_order=order,
            key=key,
            on_select=functools.partial(controls.open_row, key, shown["id"].tolist()),
            selection_mode="single-row",
        )
    formats.cards(shown, key, month, light, reasons)
    table_download.csv_button(csv, file_name, key=csv_key)

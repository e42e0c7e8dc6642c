"""「下载 CSV」 under a table: every CSV the dashboard hands out is xzcore.display.csvout's.

st.dataframe's own toolbar download (Streamlit 1.67) writes a BOM but leaves text such as
=HYPERLINK(…) as a live formula, so it is switched off for the whole app
(client.disableDataExport in .streamlit/config.toml) and this button stands in for it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from xzcore.display import csvout


def csv_button(table: pd.DataFrame, file_name: str, *, key: str) -> None:
    """A button that downloads the table as `file_name`.csv; the bytes are made on the click."""
    st.download_button(
        "下载 CSV",
        data=lambda: csvout.csv_bytes(table),
        file_name=f"{file_name}.csv",
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",  # a download changes nothing on the page: no rerun
        type="tertiary",
    )

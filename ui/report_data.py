"""The monthly report for the pages, cached per data version, month and published version shown
(`edition`; None for a month being collected) like ui/data.py.

The files are made when a download button is clicked (its data is a callable) and then kept:
a PDF takes a few seconds (chart images and typesetting), the second click none.
"""

from __future__ import annotations

import streamlit as st

from ui import data
from xzcore import cycle
from xzcore.period import Month
from xzcore.report import bulletin as bulletins
from xzcore.report import images, pdf, plots, workbook
from xzcore.report.model import Bulletin


@st.cache_data(show_spinner=False, max_entries=16)
def bulletin(version: str, month: str, edition: int | None = None) -> Bulletin:
    """The bulletin as published in that version (its frozen copy), or live while collecting."""
    month_ = Month.parse(month)
    with data.cursor() as con:
        return bulletins.gather(cycle.months.reader(con, month_, edition), month_)


@st.cache_data(show_spinner=False, max_entries=8)
def chart_pngs(version: str, month: str, edition: int | None = None) -> dict[str, bytes]:
    """Chart name → PNG; the PDF and the ZIP share them, so the charts are rendered once."""
    return images.render(plots.figures(bulletin(version, month, edition)))


@st.cache_data(show_spinner=False, max_entries=8)
def pdf_file(version: str, month: str, edition: int | None = None) -> bytes:
    return pdf.pdf_bytes(bulletin(version, month, edition), chart_pngs(version, month, edition))


@st.cache_data(show_spinner=False, max_entries=8)
def xlsx_file(version: str, month: str, edition: int | None = None) -> bytes:
    return workbook.xlsx_bytes(bulletin(version, month, edition))


@st.cache_data(show_spinner=False, max_entries=8)
def charts_zip(version: str, month: str, edition: int | None = None) -> bytes:
    return images.zip_bytes(images.files(chart_pngs(version, month, edition)))

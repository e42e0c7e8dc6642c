"""The monthly report for the pages, cached per data version and month like ui/data.py.

The files are made when a download button is clicked (its data is a callable) and then kept:
a PDF takes a few seconds (chart images and typesetting), the second click none.
"""

from __future__ import annotations

import streamlit as st

from ui import data
from xzcore.period import Month
from xzcore.report import bulletin as bulletins
from xzcore.report import figures, images, pdf, workbook
from xzcore.report.model import Bulletin


@st.cache_data(show_spinner=False, max_entries=16)
def bulletin(version: str, month: str) -> Bulletin:
    return bulletins.gather(data.cursor(), Month.parse(month))


@st.cache_data(show_spinner=False, max_entries=8)
def chart_pngs(version: str, month: str) -> dict[str, bytes]:
    """Chart name → PNG; the PDF and the ZIP share them, so the charts are rendered once."""
    return images.render(figures.figures(bulletin(version, month)))


@st.cache_data(show_spinner=False, max_entries=8)
def pdf_file(version: str, month: str) -> bytes:
    return pdf.pdf_bytes(bulletin(version, month), chart_pngs(version, month))


@st.cache_data(show_spinner=False, max_entries=8)
def xlsx_file(version: str, month: str) -> bytes:
    return workbook.xlsx_bytes(bulletin(version, month))


@st.cache_data(show_spinner=False, max_entries=8)
def charts_zip(version: str, month: str) -> bytes:
    return images.zip_bytes(images.files(chart_pngs(version, month)))

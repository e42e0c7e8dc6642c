"""The pieces every presentation slide is built of, as HTML for st.html: a projector needs type
sizes and light badges the data grid does not give (styles in ui/present.css). Every text a
person typed goes through text(), which escapes it."""

from __future__ import annotations

import html

import streamlit as st


def text(value, short: int | None = None) -> str:
    """A cell's text, escaped; "—" when empty; cut to `short` characters with "…"."""
    if value is None or value != value or value == "":
        return "—"
    said = str(value)
    if short and len(said) > short:
        said = said[: short - 1] + "…"
    return html.escape(said)


def table(columns: list[str], rows: list[list[str]], numeric: set[str] = frozenset()) -> str:
    """An HTML table; cells are HTML already (escaped); numeric columns align right."""
    right = [" class='num'" if c in numeric else "" for c in columns]
    head = "".join(f"<th{r}>{c}</th>" for c, r in zip(columns, right, strict=True))
    body = "".join(
        "<tr>"
        + "".join(f"<td{r}>{cell}</td>" for cell, r in zip(row, right, strict=True))
        + "</tr>"
        for row in rows
    )
    return f'<table class="xz-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def note(said: str) -> str:
    return f'<div class="xz-note">{said}</div>'


def empty(said: str) -> None:
    st.html(f'<div class="xz-empty">{said}</div>')


def block(place, heading: str, columns, rows, numeric=frozenset(), more: str = "") -> None:
    """A headed table in `place` (st or a column), with a note of what it leaves out."""
    place.html(
        f'<div class="xz-sub">{heading}</div>'
        + table(columns, rows, numeric)
        + (note(more) if more else "")
    )

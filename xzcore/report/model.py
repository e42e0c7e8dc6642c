"""What a bulletin holds: sentences, typed tables and the data behind its charts.

A table says what kind each column is (money in 万元, a rate, a lag, a light …), and every
format draws from that: the PDF and the page as text, the workbook as numbers with formats.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from xzcore.display import fmt
from xzcore.display.tables import LIGHT_MARKS
from xzcore.period import Month
from xzcore.rules import Preset

# kind → how a value is written as text (PDF, page preview); the workbook keeps the number
KINDS = ("text", "count", "wan", "rate", "pp", "light", "alert")
# alert: a problem's 三色督办 colour (xzcore.problems.model's 红/黄/蓝), symbol and word
ALERT_MARKS = {"红": "■ 红色督办", "黄": "▲ 黄色督办", "蓝": "◆ 蓝色督办"}


@dataclass(frozen=True)
class Column:
    title: str
    kind: str
    width: int = 12  # in the workbook, characters
    in_pdf: bool = True  # the PDF leaves out detail columns the workbook keeps

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind}")


@dataclass(frozen=True)
class Table:
    sheet: str  # the workbook's sheet name (≤ 31 characters, no []:*?/\)
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    note: str = ""  # said above the table: the rule behind a list, where the figures come from
    empty: str = "无"  # said instead of the table when it has no rows

    def pdf_columns(self) -> list[int]:
        return [i for i, c in enumerate(self.columns) if c.in_pdf]

    def text_frame(self) -> pd.DataFrame:
        """The table as the PDF writes it, every cell text (for the page's preview)."""
        keep = self.pdf_columns()
        return pd.DataFrame(
            [[text(self.columns[i].kind, row[i]) for i in keep] for row in self.rows],
            columns=[self.columns[i].title for i in keep],
        )


@dataclass(frozen=True)
class Bulletin:
    month: Month
    title: str
    stamp: str  # data as of, schedule mode, light rule
    paragraphs: tuple[str, ...]  # 总体情况 in words, the overall sentence first
    unit_words: str
    township_words: str
    tables: dict[str, Table]  # by sheet name, in the order of the workbook
    # what the charts are drawn from
    summary: dict  # metrics.summary with groups "unit" and "township"
    trend: pd.DataFrame  # history.trend
    status: pd.DataFrame  # metrics.project_status: every project, its light and place
    preset: Preset
    # the month's state: the published version read (None while the month is being collected)
    edition: int | None = None
    published_at: dt.datetime | None = None
    banner: str | None = None  # 未发布（已报送 x/y 个项目，a/b 个单位） while collecting
    correction: str | None = None  # a corrected version: what changed and why, in words

    @property
    def overall(self) -> str:
        return self.paragraphs[0]

    @property
    def mark(self) -> str:
        """The month's state as the title carries it: a month being collected says 未发布 and
        how much is in, so that no copy passes for the published bulletin; a corrected version
        says 更正; a published first version, nothing."""
        if self.banner:
            return f"（未发布：{self.banner.removeprefix('未发布（').removesuffix('）')}）"
        if self.edition and self.edition > 1:
            return f"（更正版，第{self.edition}版）"
        return ""

    @property
    def heading(self) -> str:
        """The title as every format prints it: with the month's state (`mark`)."""
        return self.title + self.mark

    @property
    def file_stem(self) -> str:
        """The heading as a file name: "5/113" would be a directory."""
        return self.heading.replace("/", "／")


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def text(kind: str, value) -> str:
    """A cell as written in the PDF: 万元 with two decimals, rates in %, lags in words."""
    if missing(value):
        return "—"
    if kind == "count":
        return f"{int(value)}"
    if kind == "wan":
        return f"{float(value):,.2f}"
    if kind == "rate":
        return f"{float(value) * 100:.1f}%"
    if kind == "pp":
        return fmt.pp(float(value), short=True)
    if kind == "light":
        return LIGHT_MARKS.get(value, str(value))
    if kind == "alert":
        return ALERT_MARKS.get(value, str(value))
    return str(value)

"""Reporting months ("2020-08") and quarters, the unit of every figure on the dashboard."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from xzcore.errors import UnknownMonth

_MONTH_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 2200:
            raise UnknownMonth(f"月份无效：{self.year}-{self.month:02d}")

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH_RE.match(str(text))
        if not match:
            raise UnknownMonth(f"月份格式应为 YYYY-MM，例如 2020-08，收到“{text}”")
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def index(self) -> int:
        """Months since year 0, so that differences of months are plain subtraction."""
        return self.year * 12 + self.month - 1

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def label(self) -> str:
        """How bulletins name the period: 1-8月."""
        return f"{self.year}年1-{self.month}月" if self.month > 1 else f"{self.year}年1月"

    def shift(self, months: int) -> Month:
        year, month0 = divmod(self.index + months, 12)
        return Month(year, month0 + 1)

    @property
    def quarter(self) -> int:
        return (self.month - 1) // 3 + 1

    def last_complete_quarter_end(self) -> Month:
        """The end month of the latest quarter wholly reported by this month (2020-08 → 2020-06)."""
        return self.shift(-(self.month % 3))

    @classmethod
    def of(cls, date: dt.date) -> Month:
        return cls(date.year, date.month)

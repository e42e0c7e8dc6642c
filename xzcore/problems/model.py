"""What a problem is (DESIGN.md §8): its fields' choices, its states, and 三色督办.

The colours are computed, never stored: they depend on today. `colours` takes the ledger and
the day (an injected clock: the pages pass today, the tests any day they like) and says for
each open problem its colour and why, in words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

SOURCES = ("月报", "现场办公", "领导交办", "单位反映")
CATEGORIES = ("用地", "资金", "审批手续", "征迁", "要素保障（水电气路）", "施工环境", "其他")
STATES = ("待交办", "已交办", "办理中", "申请办结", "已办结", "暂缓")
CLOSURES = ("实质性办结", "程序性办结")
OPEN = ("待交办", "已交办", "办理中", "申请办结", "暂缓")
# Colours apply once a unit holds the problem and until it is closed; a problem put on hold
# (暂缓, with a reason) is not chased.
CHASED = ("已交办", "办理中", "申请办结")
# The unit is expected to move only while it holds the problem, not while the office reviews.
WORKING = ("已交办", "办理中")

RED, YELLOW, BLUE = "红", "黄", "蓝"
COLOURS = (RED, YELLOW, BLUE)


@dataclass(frozen=True)
class Thresholds:
    """三色督办 in days (admin settings): blue from `due_soon` days before the deadline,
    yellow after `stale` days without a progress note (or when sent back)."""

    due_soon: int = 7
    stale: int = 30

    NAMES: ClassVar[dict[str, str]] = {
        "due_soon": "临期提醒天数（蓝）",
        "stale": "无进展天数（黄）",
    }


def _days(later: pd.Series, earlier) -> pd.Series:
    return (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.days


def colours(ledger: pd.DataFrame, today: dt.date, limits: Thresholds) -> pd.DataFrame:
    """The ledger with `colour` (红/黄/蓝 or None) and `colour_reason` (every rule that applies,
    the worst first: 逾期3天（时限2020-09-30）；35天无进展) and `overdue_days`.

    Red: open past its deadline (the deadline day itself is not overdue). Yellow: while the
    unit works on it, `stale` days or more since its latest note (or since 交办 without one),
    or sent back and not yet asked to close again. Blue: the deadline within `due_soon` days.
    """
    table = ledger.copy()
    chased = table["state"].isin(CHASED)
    day = pd.Timestamp(today)
    left = _days(table["due_on"], day)
    overdue = chased & (left < 0)
    soon = chased & ~overdue & (left <= limits.due_soon)
    moved = table["last_note_at"].fillna(table["assigned_at"]).dt.normalize()
    quiet = _days(pd.Series(day, index=table.index), moved)
    stale = table["state"].isin(WORKING) & (quiet >= limits.stale)
    returned = chased & table["returned_at"].notna()

    # lists, not DataFrame.apply row by row, which costs 20× as much at 5,000 problems
    late = [
        f"逾期{-int(n)}天（时限{d:%Y-%m-%d}）" if hit else ""
        for hit, n, d in zip(overdue, left, table["due_on"], strict=True)
    ]
    quiet_ = [f"{int(n)}天无进展" if hit else "" for hit, n in zip(stale, quiet, strict=True)]
    back = ["申请办结被退回，尚未重新申请" if hit else "" for hit in returned]
    near = [
        ("今天到期" if n == 0 else f"距办结时限{int(n)}天") if hit else ""
        for hit, n in zip(soon, left, strict=True)
    ]
    table["colour_reason"] = [
        "；".join(p for p in parts if p) for parts in zip(late, quiet_, back, near, strict=True)
    ]
    # object, not pandas' str dtype, which would turn "no colour" (None) into NaN
    picked = np.select([overdue, stale | returned, soon], [RED, YELLOW, BLUE], default="")
    table["colour"] = pd.Series([c or None for c in picked], index=table.index, dtype=object)
    table["overdue_days"] = (-left).where(overdue).astype("Int64")
    return table

"""What a node is (DESIGN.md §9): its states, the 临期 setting, and the state rule itself.

States are computed, never stored: they depend on the day (an injected clock: the pages pass
the end of the month viewed or today, the tests any day they like).

- 已完成: done by the day. 按期完成 when the actual date is not after the planned one, else
  逾期完成 (by how many days); done with no date known (a 续建 project's start, a node passed
  by a later one that is done) is 已完成 alone.
- 超期: not done and the planned date is before the day (the planned day itself is not late).
- 临期: not done and the planned date is within `due_soon` days from the day (0: today).
- 未到期: later than that; 未排期: no planned date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

DONE_ON_TIME, DONE_LATE, DONE = "按期完成", "逾期完成", "已完成"
OVERDUE, DUE_SOON, PENDING, UNPLANNED = "超期", "临期", "未到期", "未排期"
STATES = (OVERDUE, DUE_SOON, PENDING, UNPLANNED, DONE_LATE, DONE_ON_TIME, DONE)
# The pipeline's steps and the report stages that mean a node of that step is done.
STAGES = ("签约", "开工", "竣工", "投运")
STAGE_NAMES = {"签约": "签约", "开工": "开工", "竣工": "竣工", "投运": "投产"}


@dataclass(frozen=True)
class NodeSettings:
    """Days an admin may change: 临期 from `due_soon` days before the planned date."""

    due_soon: int = 15

    NAMES: ClassVar[dict[str, str]] = {"due_soon": "临期提醒天数"}


def state(planned: dt.date | None, actual: dt.date | None, done: bool, day: dt.date,
          due_soon: int = 15) -> tuple[str, int | None]:  # fmt: skip
    """(state, days) of one node on `day`: days late (逾期完成, 超期), days left (临期), else
    None. `done`: known done by the day even without a date (actual, if given, is ≤ day)."""
    if done:
        if actual is None or planned is None:
            return DONE, None
        late = (actual - planned).days
        return (DONE_LATE, late) if late > 0 else (DONE_ON_TIME, None)
    if planned is None:
        return UNPLANNED, None
    left = (planned - day).days
    if left < 0:
        return OVERDUE, -left
    if left <= due_soon:
        return DUE_SOON, left
    return PENDING, None


def words(state_: str, days) -> str:
    """The state as a table cell: 超期12天, 临期（还有3天）, 今天到期, 逾期完成（晚5天）."""
    if days is None or days != days:  # None or NaN
        return state_
    days = int(days)
    if state_ == OVERDUE:
        return f"超期{days}天"
    if state_ == DUE_SOON:
        return "临期（今天到期）" if days == 0 else f"临期（还有{days}天）"
    if state_ == DONE_LATE:
        return f"逾期完成（晚{days}天）"
    return state_


def before_target(planned: dt.date | None, target: dt.date | None) -> str:
    """Where a node stands against the target date (the 倒排 view): 目标前90天, 目标当天,
    目标后30天; — without either date."""
    if planned is None or target is None:
        return "—"
    days = (target - planned).days
    if days == 0:
        return "目标当天"
    return f"目标前{days}天" if days > 0 else f"目标后{-days}天"

"""The meeting presentation without the browser: which slides, in what order, what each shows.

The UI (ui/present.py, ui/slides.py) only draws. Here: the fixed sequence (a list longer than a
slide holds goes on over several slides), the slide number read from a URL and kept in range,
and the figures of each slide taken from xzcore's results (summary, lights, evaluate, changes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from xzcore.display import fmt

# The fixed order of the meeting; the titles are what each slide says at its top.
KINDS = {
    "overview": "总体情况",  # not 全区: a link may carry filters
    "units": "各责任单位投资完成率",
    "lag": "滞后排名",
    "map": "亮灯地图",
    "red_flags": "红旗项目",
    "warnings": "预警（蜗牛）项目",
    "changes": "本月亮灯变化",
}
# For accounts only (a project's difficulties are working papers, not for visitors): after the
# fixed seven, when the viewer may see them (sequence is given their length). 节点超期: the
# nodes overdue at the month's end by unit (xzcore.nodes.states.overdue, by_unit).
ACCOUNTS_ONLY = {"problems": "待协调问题", "nodes": "节点超期"}
LISTS = ("red_flags", "warnings", "changes", "problems", "nodes")  # slides that are lists
ROWS = 14  # rows of a list that fit a 1080-pixel screen at the presentation's type size
# a problem's row holds a description over two lines, and the units' counts stand beside it;
# the overdue nodes (a row may wrap to two lines too) share the slide with their units
PER_SLIDE = {"problems": 8, "nodes": 8}
MAX_PARTS = 3  # a longer list ends with "另有 N 个" rather than running to a dozen slides
UNITS_SHOWN = 10  # 滞后排名: at most this many units behind schedule
PROJECTS_SHOWN = 12  # and the projects furthest behind


@dataclass(frozen=True)
class Slide:
    kind: str
    title: str
    part: int = 1
    parts: int = 1

    def rows(self, total: int) -> slice:
        """This part's share of a list of `total` rows; the parts are about equally long."""
        size = math.ceil(min(total, fits(self.kind) * self.parts) / self.parts) if total else 0
        return slice((self.part - 1) * size, self.part * size)

    def left_over(self, total: int) -> int:
        """Rows of the list no slide shows (only the last part of a list cut short says so)."""
        return max(0, total - fits(self.kind) * self.parts) if self.part == self.parts else 0

    @property
    def heading(self) -> str:
        return self.title if self.parts == 1 else f"{self.title}（{self.part}/{self.parts}）"


def fits(kind: str) -> int:
    """Rows of a list slide of this kind that one slide holds."""
    return PER_SLIDE.get(kind, ROWS)


def sequence(lengths: dict[str, int]) -> list[Slide]:
    """Every slide in order; `lengths` gives the number of rows of each list slide. A slide of
    ACCOUNTS_ONLY is there only when `lengths` names it (the viewer may see it)."""
    slides = []
    shown = KINDS | {k: t for k, t in ACCOUNTS_ONLY.items() if k in lengths}
    for kind, title in shown.items():
        rows = lengths.get(kind, 0) if kind in LISTS else 0
        parts = min(MAX_PARTS, max(1, math.ceil(rows / fits(kind))))
        slides += [Slide(kind, title, part, parts) for part in range(1, parts + 1)]
    return slides


def clamp(asked, count: int) -> int:
    """A slide number from a URL (text, maybe nonsense) as a number from 1 to count."""
    try:
        number = int(str(asked).strip())
    except ValueError:
        return 1
    return min(max(number, 1), count)


def step(number: int, by: int, count: int, *, wrap: bool = False) -> int:
    """The slide `by` away; a presenter stops at either end, the automatic advance goes round."""
    if wrap:
        return (number - 1 + by) % count + 1
    return min(max(number + by, 1), count)


# --- 全区概况 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    unit: str
    note: str | None = None
    tone: str | None = None  # "ahead" or "behind": the note is good or bad news
    gauge: tuple[float, float] | None = None  # completion rate against schedule, drawn as a bar


def _money(wan) -> tuple[str, str]:
    text = fmt.money(wan)
    return (text, "") if text == "—" else (text[:-2], text[-2:])  # "164.13亿元" → 亿元 apart


def _rate(rate) -> tuple[str, str]:
    text = fmt.percent(rate)
    return (text, "") if text == "—" else (text[:-1], "%")


def kpis(total: dict, before: dict | None) -> list[Kpi]:
    """The overview's figures, as summary() gives them, against last month when there is one."""
    done_this_month = None
    if before is not None:
        done_this_month = f"本月完成 {fmt.money(total['completed_wan'] - before['completed_wan'])}"
    lag = total["lag_pp"]
    projects_change = None if before is None else total["projects"] - before["projects"]
    return [
        Kpi(
            "项目数",
            f"{total['projects']}",
            "个",
            f"较上月 {projects_change:+d} 个" if projects_change else None,
        ),
        Kpi("年度计划投资", *_money(total["plan_wan"])),
        Kpi("累计完成投资", *_money(total["completed_wan"]), done_this_month),
        Kpi(
            "完成率",
            *_rate(total["completion_rate"]),
            f"时序进度 {fmt.percent(total['schedule_progress'])}，{fmt.pp(lag)}",
            None if lag is None else "behind" if lag > 0 else "ahead",
            None
            if total["completion_rate"] is None or total["schedule_progress"] is None
            else (total["completion_rate"], total["schedule_progress"]),
        ),
        Kpi(
            "开工率",
            *_rate(total["start_rate"]),
            f"已开工 {total['started']} 个 / 应开工 {total['due_to_start']} 个",
        ),
    ]


def light_counts(total: dict, before: dict | None) -> list[tuple[str, int, int | None]]:
    """(light, projects, change since last month) for green, yellow, red."""
    return [
        (
            light,
            total["lights"][light],
            None if before is None else total["lights"][light] - before["lights"][light],
        )
        for light in ("green", "yellow", "red")
    ]


def bar_legend(rule: dict, groups: str = "各单位") -> str:
    """What a group's bar colour means, in the words of the rule the month is judged by (a
    group is judged on its sums by the completion bands; it has no start date)."""
    bands = rule["bands"]
    return (
        f"柱色为{groups}的亮灯（亮灯规则“{rule['title']}”）：绿 {bands['green']}，"
        f"黄 {bands['yellow']}，"
        f"红 {bands['red']}"
    )


# --- 滞后排名 -------------------------------------------------------------------------------


def units_behind(groups: list[dict], n: int = UNITS_SHOWN) -> list[dict]:
    """The units behind schedule (lag > 0), furthest behind first: a ranking called 滞后 lists
    laggards, never units on or ahead of schedule to fill its rows."""
    behind = [g for g in groups if (g["lag_pp"] or 0) > 0]
    return sorted(behind, key=lambda g: -g["lag_pp"])[:n]


def units_on_schedule(groups: list[dict]) -> int:
    """How many units are on or ahead of schedule (the rest of the 滞后 ranking, counted)."""
    return sum((g["lag_pp"] or 0) <= 0 for g in groups)


def projects_behind(status: pd.DataFrame, n: int = PROJECTS_SHOWN) -> pd.DataFrame:
    """The projects furthest behind schedule (lag > 0), the worst first."""
    behind = status[status["lag_pp"] > 0]
    return behind.sort_values(["lag_pp", "id"], ascending=[False, True]).head(n)


# --- 本月亮灯变化 ---------------------------------------------------------------------------


def change_counts(words: pd.Series) -> dict[str, int]:
    """How many projects turned red, got worse, got better (lagcharts.changes_table's 变化)."""
    counts = words.value_counts()
    return {word: int(counts.get(word, 0)) for word in ("转为红灯", "转差", "好转")}

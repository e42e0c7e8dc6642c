"""Tables as the pages and reports show them: Chinese headers, 亿元, rates in %, lights in words."""

from __future__ import annotations

import pandas as pd

from xzcore.frame import GROUP_COLUMNS
from xzcore.rules import LIGHT_NAMES

LIGHT_MARKS = {"green": "● 绿灯", "yellow": "▲ 黄灯", "red": "■ 红灯"}  # not colour alone


def ranking(groups: list[dict], column: str) -> pd.DataFrame:
    """The 晾晒 ranking: groups by completion rate, best first (ratio of sums for each)."""
    rows = [
        {
            "排名": i,
            GROUP_COLUMNS[column]: g["key"],
            "项目数": g["projects"],
            "年度计划（亿元）": g["plan_wan"] / 10000,
            "累计完成（亿元）": g["completed_wan"] / 10000,
            "完成率": (g["completion_rate"] or 0) * 100,
            "时序进度": (g["schedule_progress"] or 0) * 100,
            "滞后（百分点）": g["lag_pp"],
            "亮灯": LIGHT_MARKS[g["light"]],
            "绿": g["lights"]["green"],
            "黄": g["lights"]["yellow"],
            "红": g["lights"]["red"],
        }
        for i, g in enumerate(groups, start=1)
    ]
    return pd.DataFrame(rows)


def projects(table: pd.DataFrame) -> pd.DataFrame:
    """A list of projects (lights, red-flag, warnings) with Chinese headers; id kept first."""
    out = pd.DataFrame(
        {
            "id": table["id"],
            "项目代码": table["code"],
            "项目名称": table["name"],
            "责任单位": table["unit"],
            "镇街道": table["township"],
            "年度计划（万元）": table["plan_wan"],
            "累计完成（万元）": table["completed_wan"],
            "完成率": table["completion_rate"] * 100,
            "滞后（百分点）": table["lag_pp"],
            "亮灯": table["light"].map(LIGHT_MARKS),
            "原因": table["reason"],
        }
    )
    if "rule" in table:
        out["入选规则"] = table["rule"]
    return out


__all__ = ["LIGHT_MARKS", "LIGHT_NAMES", "projects", "ranking"]

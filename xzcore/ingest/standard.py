"""The district's standard upload layout: the 计划表 and 月报 headers the templates hand out and
the demo files are written in (real files vary; headers.py reads those)."""

from __future__ import annotations


def register_header(year: int) -> list[str]:
    """The 计划表's columns for a plan year (the plan column names its year)."""
    return (
        "项目代码,项目名称,项目级别,行业类别,所属镇街道,责任单位,联系区领导,项目业主,建设性质,"
        f"总投资（万元）,{year}年计划投资（万元）,计划开工日期,计划竣工日期,经度,纬度,"
        + ",".join(f"{m}月" for m in range(1, 13))
    ).split(",")


PROGRESS_HEADER = [
    "项目代码",
    "项目名称",
    "本月完成投资（万元）",
    "年初至报告期累计完成投资（万元）",
    "项目阶段",
    "实际开工日期",
    "形象进度",
    "存在问题",
]

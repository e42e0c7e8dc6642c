"""What a bulletin or a meeting says of the milestones at a month's end, in one paragraph:
the pipeline's rates with their denominators and the nodes overdue and due next month."""

from __future__ import annotations

import pandas as pd


def sentence(figures: dict, overdue: pd.DataFrame, due_next: pd.DataFrame) -> str:
    """截至8月末，签约项目113个，已开工113个，已竣工6个，已投产4个；
    开工率（按1-8月计划）100.0%（已开工 113 个 ÷ 1-8月计划应开工 113 个），…；
    超期未完成节点6个（其中本月到期3个，最长超期118天），下月到期节点10个。"""
    day = figures["day"]
    counts = figures["counts"]
    said = [
        f"截至{day.month}月末，签约项目{counts['签约']}个，已开工{counts['开工']}个，"
        f"已竣工{counts['竣工']}个，已投产{counts['投产']}个"
    ]
    rates = []
    for rate in figures["rates"].values():
        shown = "—" if rate["rate"] is None else f"{rate['rate'] * 100:.1f}%"
        rates.append(f"{rate['name']}{shown}（{rate['words']}）")
    said.append("，".join(rates))
    if overdue.empty:
        late = "没有超期未完成的节点"
    else:
        new = int(overdue["new"].sum())
        late = (
            f"超期未完成节点{len(overdue)}个（其中本月到期{new}个，"
            f"最长超期{int(overdue['days'].max())}天）"
        )
    said.append(f"{late}，下月到期节点{len(due_next)}个")
    return "；".join(said) + "。"

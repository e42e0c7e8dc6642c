"""Everything the month's 晾晒 bulletin says, gathered in one place for every format.

The figures are xzcore's own (metrics.summary, metrics.lights, evaluation.evaluate,
history.light_changes); this module only words them as such bulletins read and lays them out
as typed tables. District-wide: a bulletin takes no filters.

A published month's bulletin is read from its frozen copy (cycle.months.reader), in the version
the cursor reads or else the latest; a corrected version says what changed and why. A month
being collected is read live and marked 未发布 with how much is in.
"""

from __future__ import annotations

import pandas as pd

from xzcore import cycle
from xzcore.display import fmt, lagcharts, tables
from xzcore.figures import demo_mark, evaluation, history, metrics
from xzcore.figures.frame import GROUP_COLUMNS
from xzcore.period import Month
from xzcore.report import nodes_section as nodes_bulletin
from xzcore.report import problems_meeting
from xzcore.report.model import Bulletin, Column, Table
from xzcore.rules import LIGHT_NAMES, LIGHTS, SCHEDULE_MODES
from xzcore.store import settings

TITLE = "秀洲区重点项目建设进展情况通报（{label}）"

_PLAN = Column("年度计划（万元）", "wan", 16)
_DONE = Column("累计完成（万元）", "wan", 16)
_RATE = Column("完成率", "rate", 9)
_SCHEDULE = Column("时序进度", "rate", 9)
_LAG = Column("较时序进度（百分点）", "pp", 10)
_LIGHT = Column("亮灯", "light", 10)
_COUNTS = tuple(Column(LIGHT_NAMES[light], "count", 6) for light in LIGHTS)
_NO = Column("序号", "count", 6)
_NAME = Column("项目名称", "text", 40)
_UNIT = Column("责任单位", "text", 18)
# detail the workbook keeps and the PDF leaves out, so that its tables fit an A4 page
_TOWN = Column("镇街道", "text", 12, in_pdf=False)
_PLAN_X, _DONE_X = (Column(c.title, c.kind, c.width, in_pdf=False) for c in (_PLAN, _DONE))


def period(month: Month) -> str:
    """How a bulletin names the months it covers: 1-8月 (1月 in January)."""
    return month.label.removeprefix(f"{month.year}年")


def versus_schedule(lag_pp) -> str:
    if lag_pp is None:
        return "年度计划为零，无法与时序进度比较"
    if abs(lag_pp) < 0.05:
        return "与时序进度持平"
    if lag_pp < 0:
        return f"超时序进度{-lag_pp:.1f}个百分点"
    return f"落后时序进度{lag_pp:.1f}个百分点"


def _change(n: int) -> str:
    return f"增加{n}个" if n > 0 else f"减少{-n}个" if n < 0 else "持平"


def _overall(month: Month, total: dict, before: dict | None) -> str:
    words = (
        f"{period(month)}，全区{total['projects']}个重点建设项目累计完成投资"
        f"{fmt.money(total['completed_wan'], '亿元')}，占年度计划的"
        f"{fmt.percent(total['completion_rate'])}，{versus_schedule(total['lag_pp'])}。"
    )
    if before is not None:
        month_done = total["completed_wan"] - before["completed_wan"]
        words += f"其中{month.month}月完成投资{fmt.money(month_done, '亿元')}。"
    return words + (
        f"已开工{total['started']}个，开工率{fmt.percent(total['start_rate'])}"
        f"（应开工{total['due_to_start']}个）。"
    )


def _lights(total: dict, before: dict | None, changes: pd.DataFrame) -> str:
    lights = total["lights"]
    words = f"全区亮绿灯{lights['green']}个、黄灯{lights['yellow']}个、红灯{lights['red']}个"

    if before is not None:
        was = before["lights"]
        words += "；与上月相比，" + "、".join(
            f"{LIGHT_NAMES[k]}{_change(lights[k] - was[k])}" for k in LIGHTS
        )
        newly_red = int((changes["light"] == "red").sum())
        words += f"，{len(changes)}个项目亮灯发生变化" if len(changes) else "，没有项目亮灯发生变化"
        words += f"（其中转为红灯{newly_red}个）" if newly_red else ""
    return words + "。"


def _group_words(groups: list[dict], noun: str) -> str:
    rated = [g for g in groups if g["completion_rate"] is not None]  # summary: best first
    if not rated:
        return f"没有可比较完成率的{noun}。"
    best, worst = rated[0], rated[-1]
    behind = [g for g in rated if (g["lag_pp"] or 0) >= 0.05]
    # group_name: the projects without a unit or township are a group whose key is None
    red = [tables.group_name(g["key"]) for g in rated if g["light"] == "red"]
    words = (
        f"{len(groups)}个{noun}中，完成率最高的是{tables.group_name(best['key'])}（"
        f"{fmt.percent(best['completion_rate'])}），最低的是{tables.group_name(worst['key'])}（"
        f"{fmt.percent(worst['completion_rate'])}）；"
        + (f"{len(behind)}个{noun}落后时序进度" if behind else f"没有{noun}落后时序进度")
    )
    return words + (f"，亮红灯的有：{'、'.join(red)}。" if red else "。")


def _figures(s: dict) -> tuple:
    """A summary's (or a group's) plan, completed, rate, schedule and lag, in column order."""
    return tuple(s[k] for k in ("plan_wan", "completed_wan", "completion_rate",
                                "schedule_progress", "lag_pp"))  # fmt: skip


def _counts(s: dict) -> tuple:
    return tuple(s["lights"][k] for k in LIGHTS)


_FIGURES = (_PLAN, _DONE, _RATE, _SCHEDULE, _LAG)


def _overview_table(month: Month, total: dict, before: dict | None) -> Table:
    columns = (
        Column("期间", "text", 14),
        Column("项目数", "count", 8),
        Column("已开工", "count", 8),
        *_FIGURES,
        *_COUNTS,
    )
    shown = [(month, total)] + ([(month.shift(-1), before)] if before is not None else [])
    rows = tuple(
        (m.label, s["projects"], s["started"], *_figures(s), *_counts(s)) for m, s in shown
    )
    return Table("总体", "全区总体情况", columns, rows)


def _ranking_table(groups: list[dict], column: str, sheet: str, note: str) -> Table:
    noun = GROUP_COLUMNS[column]
    columns = (
        Column("排名", "count", 6),
        Column(noun, "text", 20),
        Column("项目数", "count", 8),
        *_FIGURES,
        _LIGHT,
        *_COUNTS,
    )
    rows = tuple(
        (i, g["key"], g["projects"], *_figures(g), g["light"], *_counts(g))
        for i, g in enumerate(groups, start=1)
    )
    return Table(sheet, f"各{noun}投资完成情况", columns, rows, note)


def _project_rows(frame: pd.DataFrame, keys: list[str]) -> tuple[tuple, ...]:
    # NaN (a project with no plan has no rate) becomes None: no format writes NaN
    values = frame[keys].astype(object).where(frame[keys].notna(), None)
    return tuple((i, *row) for i, row in enumerate(values.itertuples(index=False), start=1))


_PROJECT_KEYS = ["name", "unit", "township", "plan_wan", "completed_wan", "completion_rate",
                 "lag_pp", "light"]  # fmt: skip
_PROJECT_COLUMNS = (_NO, _NAME, _UNIT, _TOWN, _PLAN_X, _DONE, _RATE, _LAG, _LIGHT)


def _evaluation_tables(result: dict) -> tuple[Table, Table]:
    red_flags = Table(
        "红旗项目",
        "红旗项目",
        _PROJECT_COLUMNS,
        _project_rows(result["red_flags"], _PROJECT_KEYS),
        f"评选规则：{result['red_flag_rule']}",
        "本月没有符合条件的红旗项目。",
    )
    warning_columns = (
        *_PROJECT_COLUMNS,
        Column("入选规则", "text", 24),
        Column("开工滞后（月）", "count", 8, in_pdf=False),
        Column("竣工滞后（月）", "count", 8, in_pdf=False),
        Column("亮灯原因", "text", 60, in_pdf=False),
    )
    keys = [*_PROJECT_KEYS, "rule", "start_overdue", "completion_overdue", "reason"]
    warnings = Table(
        "预警项目",
        "预警（蜗牛）项目",
        warning_columns,
        _project_rows(result["warnings"], keys),
        "评选规则（符合任一条即列入，按滞后幅度排序）："
        + "；".join(result["warning_rules"].values()),
        "本月没有预警项目。",
    )
    return red_flags, warnings


def _lagging_table(lagging: pd.DataFrame, preset) -> Table:
    return Table(
        "黄红灯项目",
        "亮黄灯、红灯的项目",
        (*_PROJECT_COLUMNS, Column("亮灯原因", "text", 60)),
        _project_rows(lagging, [*_PROJECT_KEYS, "reason"]),
        f"亮灯规则（{preset.title}）：▲ 黄灯：{preset.band_text('yellow')}；■ 红灯："
        f"{preset.band_text('red')}；开工：{preset.start_text()}"
        + (f"；节点：{preset.node_text()}" if preset.node_rule else "")  # when turned on
        + "。按亮灯、滞后排序，最差的在前。",
        "本月没有亮黄灯或红灯的项目。",
    )


def _changes_table(month: Month, changes: pd.DataFrame) -> Table:
    words = lagcharts.changes_table(changes)["变化"].tolist()
    rows = _project_rows(
        changes.assign(change=words),
        ["name", "unit", "township", "light_before", "light", "change", "lag_pp", "reason"],
    )
    columns = (
        *(_NO, _NAME, _UNIT, _TOWN),
        Column("上月", "light", 10),
        Column("本月", "light", 10),
        Column("变化", "text", 10),
        _LAG,
        Column("亮灯原因", "text", 60, in_pdf=False),
    )
    empty = (
        "1月是本年度第一个月，没有上月亮灯可比。"
        if month.month == 1
        else "与上月相比，没有项目的亮灯发生变化。"
    )
    return Table(
        "亮灯变化", "本月亮灯变化", columns, rows, "上月 → 本月，转为红灯的排在最前。", empty
    )


_CHANGES_LISTED = 20  # the correction's paragraph names this many projects, then says 等


def correction(version) -> str | None:
    """What a corrected version changed against the one before, and why, in words."""
    if version is None or not version.corrected:
        return None
    changes = version.changes or {"count": 0, "projects": []}
    words = (
        f"更正说明：本通报为第{version.version}版（更正版），"
        f"于{version.published_at:%Y-%m-%d %H:%M}更正，更正理由：{version.reason or '未填写'}。"
    )
    if not changes["count"]:
        return words + f"与第{version.version - 1}版相比，项目的累计完成投资和亮灯均无变化。"
    items = []
    for p in changes["projects"][:_CHANGES_LISTED]:
        parts = []
        if p["completed_before"] != p["completed"]:
            parts.append(f"累计完成投资{_wan(p['completed_before'])}→{_wan(p['completed'])}")
        if p["light_before"] != p["light"]:
            parts.append(f"亮灯{_light(p['light_before'])}→{_light(p['light'])}")
        items.append(f"{p['name']}（{p['unit'] or '未填责任单位'}）" + "，".join(parts))
    more = changes["count"] - len(items)
    return (
        words
        + f"与第{version.version - 1}版相比，{changes['count']}个项目的数据有变化："
        + "；".join(items)
        + (f"；另有{more}个项目，见看板" if more > 0 else "")
        + "。"
    )


def _wan(value) -> str:
    return "—" if value is None else f"{float(value):,.2f}万元"


def _light(light) -> str:
    return LIGHT_NAMES.get(light, "未亮灯") if light else "未亮灯"


def gather(con, month: Month) -> Bulletin:
    """The bulletin of a month as shown to its readers (see `reading`); raises UnknownMonth
    when the month has no data."""
    con, version = cycle.months.reading(con, month)
    banner = cycle.months.banner(con, month) if version is None else None
    total = metrics.summary(con, month, by=["unit", "township"])
    earlier = month.shift(-1)
    # the year's first month has nothing before it: plans and lights start afresh each year
    has_before = month.month > 1 and earlier in metrics.available_months(con)
    before = metrics.summary(con, earlier) if has_before else None
    preset = settings.preset(con)
    changes = history.light_changes(con, month)
    if not has_before:  # December's lights belong to last year's plans
        changes = changes.head(0)
    result = evaluation.evaluate(con, month)
    lagging = lagcharts.lagging(metrics.lights(con, month))
    red_flags, warnings = _evaluation_tables(result)
    mode = SCHEDULE_MODES[total["schedule_mode"]]
    stamp = f"数据截至{month.year}年{month.month}月底　时序进度：{mode}　亮灯规则：{preset.title}"
    if version is not None:
        stamp += f"　已发布：{version.published_at:%Y-%m-%d %H:%M}（第{version.version}版）"
    elif banner:
        stamp += f"　{banner}"
    if demo_mark.is_demo(con):
        stamp += "　示例数据"
    paragraphs = (
        _overall(month, total, before),
        _lights(total, before, changes),
        f"本月评出红旗项目{len(result['red_flags'])}个、预警（蜗牛）项目"
        f"{len(result['warnings'])}个，名单附后。",
        f"问题协调：{problems_meeting.paragraph(con, month)}",
    )
    groups = total["groups"]
    note = "按完成率从高到低排列；完成率 = 累计完成 ÷ 年度计划（各项目之和相除）。"
    tables = [
        _overview_table(month, total, before),
        _ranking_table(groups["unit"], "unit", "按责任单位", note),
        _ranking_table(groups["township"], "township", "按镇街道", note),
        red_flags,
        warnings,
        _lagging_table(lagging, preset),
        _changes_table(month, changes),
        problems_meeting.overdue_table(con, month),
        nodes_bulletin.overdue_table(con, month),
    ]
    return Bulletin(
        month=month,
        title=TITLE.format(label=month.label),
        stamp=stamp,
        paragraphs=paragraphs,
        unit_words=_group_words(groups["unit"], "责任单位"),
        township_words=_group_words(groups["township"], "镇街道"),
        tables={t.sheet: t for t in tables},
        summary=total,
        trend=history.trend(con, month),
        status=metrics.project_status(con, month),
        preset=preset,
        edition=version.version if version else None,
        published_at=version.published_at if version else None,
        banner=banner,
        correction=correction(version),
    )

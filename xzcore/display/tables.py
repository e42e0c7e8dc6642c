"""Tables as the pages and reports show them: Chinese headers, 亿元, rates in %, lights in words."""

from __future__ import annotations

import math
import re

import pandas as pd

from xzcore.display import fmt
from xzcore.figures.frame import GROUP_COLUMNS

LIGHT_MARKS = {"green": "● 绿灯", "yellow": "▲ 黄灯", "red": "■ 红灯"}  # not colour alone
VERSUS = "较时序进度（百分点）"  # 超前37.2 / 落后10.6, in words as the slides and bulletin say


def ranking(groups: list[dict], column: str) -> pd.DataFrame:
    """The 晾晒 ranking: groups by completion rate, best first (ratio of sums for each)."""
    rows = [
        {
            "排名": i,
            GROUP_COLUMNS[column]: group_name(g["key"]),  # st.dataframe draws None as "None"
            "项目数": g["projects"],
            "年度计划（亿元）": g["plan_wan"] / 10000,
            "累计完成（亿元）": g["completed_wan"] / 10000,
            "完成率": (g["completion_rate"] or 0) * 100,
            "时序进度": (g["schedule_progress"] or 0) * 100,
            VERSUS: fmt.pp(g["lag_pp"], short=True),
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
            VERSUS: [fmt.pp(lag, short=True) for lag in table["lag_pp"]],
            "亮灯": table["light"].map(LIGHT_MARKS),
            "原因": table["reason"],
        }
    )
    if "rule" in table:
        out["入选规则"] = table["rule"]
    return out


# --- 红旗/预警 and one project's record -------------------------------------------------------


def evaluation_list(table: pd.DataFrame) -> pd.DataFrame:
    """A red-flag or warning list as shown: its order numbered, the rule that picked each project,
    and for warnings how many months the start and the completion have slipped; id kept first."""
    out = projects(table)
    out.insert(1, "序号", range(1, len(out) + 1))
    if "rules" in table:  # a warning list
        out["开工滞后（月）"] = table["start_overdue"]
        out["竣工滞后（月）"] = table["completion_overdue"]
    return out


def rule_counts(warnings: pd.DataFrame, texts: dict[str, str]) -> dict[str, int]:
    """How many warning projects each rule picked (a project may meet several)."""
    return {
        text: sum(rule in picked for picked in warnings["rules"]) for rule, text in texts.items()
    }


# --- NULLs read through pandas ---------------------------------------------------------------
# pandas 3 hands a NULL of a text column over as NaN (a float, and truthy) wherever the column
# also holds text, not as None: `value or "…"` then yields NaN, which prints "nan" (and a form
# field filled with it saves "nan"), `if value` takes the wrong branch, and json.dumps writes
# NaN, which is no JSON. Code written for None reads its values through these.


def given(value):
    """A value taken from a query's frame, or None where the database holds NULL (NaN, NaT,
    <NA>)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


NOT_GIVEN = "（未填）"  # as the node pipeline names a unit left empty


def group_name(key) -> str:
    """A group's key as text: the projects whose register leaves the column empty form a group
    whose key is None (NaN once in a frame), which str() printed as "None" in the charts, the
    bulletin's words and the command line."""
    return NOT_GIVEN if given(key) is None else str(key)


def nulls_as_none(frame: pd.DataFrame, columns=None) -> pd.DataFrame:
    """A copy of the frame whose text columns (or the columns named) hold None where the
    database holds NULL, as objects: rows taken from it (to_dict, itertuples, iloc) hold what
    code written for None expects."""
    if columns is None:
        columns = [c for c in frame.columns if isinstance(frame[c].dtype, pd.StringDtype)]
    out = frame.copy()
    for column in columns:
        out[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return out


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows as dicts with None for every missing value, numbers' included: for JSON."""
    return nulls_as_none(frame, frame.columns).to_dict("records")


def _date(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:%Y-%m-%d}"


def _text(value) -> str:
    return "—" if value is None or pd.isna(value) or str(value).strip() == "" else str(value)


def start_status(start: dict | None) -> str:
    """开工情况 in words, from frame.project_start: started and from what (an actual date, 续建,
    or the report that said so), or not started with the planned month and how overdue."""
    if start is None:  # no plan this year: the project is in no frame of the year
        return "—"
    if start["started"]:
        return f"已开工，依据：{start['start_source']}"
    planned = start["planned_start"]
    if planned is None or pd.isna(planned):
        return "未开工：无计划开工日期"
    if start["start_overdue"] > 0:
        return f"未开工：计划{planned:%Y-%m}开工，已逾期{start['start_overdue']}个月"
    return f"未开工：计划{planned:%Y-%m}开工"


def _years(start, end) -> str:
    if not start:
        return "—"
    return str(start) if start == end else f"{start}-{end}"


def register(record: dict, start: dict | None) -> pd.DataFrame:
    """A project's register entry and this year's plan as 项目/内容 rows (text as uploaded), with
    开工情况 at the month viewed (`start` from frame.project_start)."""
    r = record["register"]
    rows = [
        ("项目代码", _text(r["code"])),
        ("项目名称", _text(r["name"])),
        ("项目级别", _text(r["tier"])),
        ("项目类别", _text(r.get("project_type"))),
        ("行业类别", _text(r["category"])),
        ("建设起止年限", _years(r.get("start_year"), r.get("end_year"))),
        ("镇街道", _text(r["township"])),
        ("责任单位", _text(r["unit"])),
        ("联系区领导", _text(r["leader"])),
        ("项目业主", _text(r["owner"])),
        ("新建/续建", _text(r["build_type"])),
        ("总投资", fmt.money(r["total_investment"])),
        ("本年度计划投资", fmt.money(record["plan_wan"])),
        ("计划开工", _date(r["planned_start"])),
        ("实际开工", _date(r["actual_start"])),
        ("开工情况", start_status(start)),
        ("计划竣工", _date(r["planned_completion"])),
        ("实际竣工", _date(r["actual_completion"])),
    ]
    return pd.DataFrame(rows, columns=["项目", "内容"])


def month_targets(months: pd.DataFrame, plan_wan) -> tuple[pd.DataFrame, bool]:
    """The months with their cumulative targets; when none were uploaded, the plan spread evenly
    (P·m/12, DESIGN.md section 2). Returns the months and whether the targets were spread."""
    if months["target_cum"].notna().any() or plan_wan is None:
        return months, False
    spread = months.assign(target_cum=[float(plan_wan) * m / 12 for m in months["month_no"]])
    return spread, True


def latest(months: pd.DataFrame) -> dict:
    """The last month of a project's record: its light, rate, lag, and the latest cumulative."""
    last = months.iloc[-1]
    reported = months["ytd"].dropna()
    return {
        "month_no": int(last["month_no"]),
        "light": None if pd.isna(last["light"]) else last["light"],
        "reason": None if pd.isna(last["reason"]) else last["reason"],
        "completion_rate": None if pd.isna(last["completion_rate"]) else last["completion_rate"],
        "lag_pp": None if pd.isna(last["lag_pp"]) else last["lag_pp"],
        "ytd": float(reported.iloc[-1]) if len(reported) else None,
    }


def month_figures(months: pd.DataFrame) -> pd.DataFrame:
    """A project month by month: amounts against the target, and the published light with why
    (the reason states the completion rate, the schedule and the lag)."""
    return pd.DataFrame(
        {
            "月份": [f"{m}月" for m in months["month_no"]],
            "本月完成（万元）": months["amount"],
            "累计完成（万元）": months["ytd"],
            "计划累计（万元）": months["target_cum"],
            "亮灯": [
                LIGHT_MARKS.get(v, "未亮灯") if isinstance(v, str) else "未亮灯"
                for v in months["light"]
            ],
            "亮灯原因": months["reason"].fillna("—"),
        }
    )


def progress_notes(months: pd.DataFrame) -> pd.DataFrame:
    """A project's monthly report in words: stage, 形象进度 and 存在问题, as uploaded."""
    return pd.DataFrame(
        {
            "月份": [f"{m}月" for m in months["month_no"]],
            "阶段": months["stage"].map(_text),
            "形象进度": months["image_progress"].map(_text),
            "存在问题": months["problems"].map(_text),
        }
    )


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&])")


def literal(text) -> str:
    """Text from an upload, escaped for st.markdown/st.subheader so that it shows as typed
    (no emphasis, links, colour directives like :red[…], emoji codes or formulas)."""
    return _MARKDOWN.sub(r"\\\1", _text(text))


def literal_table(table: pd.DataFrame) -> pd.DataFrame:
    """Every cell escaped for st.table, which renders Markdown in cells (and wraps long text)."""
    return table.map(literal)


__all__ = [
    "LIGHT_MARKS",
    "NOT_GIVEN",
    "VERSUS",
    "evaluation_list",
    "given",
    "group_name",
    "latest",
    "literal",
    "literal_table",
    "month_figures",
    "month_targets",
    "nulls_as_none",
    "progress_notes",
    "projects",
    "ranking",
    "records",
    "register",
    "rule_counts",
    "start_status",
]

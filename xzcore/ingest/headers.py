"""Which column is which: the alias table, units written in headers, and the header row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from xzcore.ingest.values import fold

# Field → the headers offices use for it (compared after fold(), with any unit removed).
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("项目代码", "项目编码", "项目编号", "代码", "编码", "code", "projectcode"),
    "name": ("项目名称", "项目全称", "名称", "name", "projectname", "project"),
    "tier": ("项目级别", "级别", "重要级别", "项目层级", "tier", "level"),
    "category": ("行业类别", "所属行业", "行业", "项目类型", "项目分类", "category", "industry"),
    "township": (
        "所属镇街道",
        "镇街道",
        "所属镇街",
        "镇街",
        "镇(街道)",
        "项目属地",
        "属地",
        "所属区域",
        "township",
    ),
    "unit": ("责任单位", "牵头单位", "主管单位", "项目管理部门", "分管局委", "unit"),
    "leader": ("联系区领导", "联系领导", "挂点领导", "项目挂点领导", "分管区领导", "leader"),
    "owner": ("项目业主", "业主单位", "建设单位", "投资主体", "法人单位", "owner"),
    "build_type": ("建设性质", "新建/续建", "新建续建", "buildtype"),
    "total_investment": ("总投资", "计划总投资", "项目总投资", "totalinvestment"),
    "plan": (
        "年度计划投资",
        "年计划投资",
        "本年计划投资",
        "年度计划",
        "年度投资计划",
        "计划投资",
        "annualplan",
        "plan",
    ),
    "planned_start": ("计划开工日期", "计划开工时间", "计划开工", "plannedstart"),
    "planned_completion": (
        "计划竣工日期",
        "计划竣工时间",
        "计划竣工",
        "计划投产时间",
        "计划完工日期",
        "plannedcompletion",
    ),
    "actual_start": ("实际开工日期", "实际开工时间", "开工日期", "开工时间", "actualstart"),
    "actual_completion": ("实际竣工日期", "实际竣工时间", "竣工日期", "actualcompletion"),
    "lon": ("经度", "lon", "lng", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "amount": (
        "本月完成投资",
        "当月完成投资",
        "本月完成",
        "当月完成",
        "当月已完成投资",
        "本月投资",
        "amount",
    ),
    "ytd": (
        "年初至报告期累计完成投资",
        "本年累计完成投资",
        "累计完成投资",
        "年度累计完成投资",
        "当年累计完成投资",
        "当年项目累计投资",
        "自元月至本月底完成投资",
        "当月至今已完成",
        "年初至今累计完成投资",
        "本年累计完成",
        "累计完成",
        "ytd",
    ),
    "stage": ("项目阶段", "项目状态", "项目当前状态", "阶段", "stage"),
    "image_progress": ("形象进度", "年初至报告期形象进度", "工程形象进度", "imageprogress"),
    "problems": ("存在问题", "存在的问题", "存在的问题及工作建议", "问题", "problems"),
    "month": ("报告月份", "报告期", "月份", "month"),
}
# Headers that carry a year or a month inside them: (pattern, field, what the number means).
PATTERNS = [
    (re.compile(r"^(\d{4})年度?计划投资$"), "plan", "year"),
    (re.compile(r"^(\d{4})年度?投资计划$"), "plan", "year"),
    (re.compile(r"^(?:\d{4}年)?1-(\d{1,2})月累计完成投资?$"), "ytd", "month"),
    (re.compile(r"^(?:\d{4}年)?1-(\d{1,2})月(?:份)?累计完成$"), "ytd", "month"),
    (re.compile(r"^(\d{1,2})月完成投资$"), "amount", "month"),
    (re.compile(r"^(\d{1,2})月(?:计划|目标|计划投资|投资计划)?$"), "target", "month"),
]
MONEY = {"total_investment", "plan", "amount", "ytd", "target"}
# A unit in brackets ("（万元）", "(单位：亿元)") or a 万元/亿元 written at the end; a bare 元 only
# in brackets, so that a word ending in 元 is not read as a unit.
_UNIT = re.compile(r"[(（\[]\s*(?:单位\s*[:：])?\s*(亿元|万元|元)\s*[)）\]]|/?(亿元|万元)$")
_FACTOR = {"亿元": Decimal(10000), "万元": Decimal(1), "元": Decimal("0.0001")}
_STRIP = re.compile(r"[(（][^)）]*[)）]")


@dataclass
class Column:
    index: int
    header: str
    field: str
    factor: Decimal = Decimal(1)
    number: int | None = None  # the year or month a header carried, or a target's month


@dataclass
class HeaderMap:
    row: int  # 0-based index of the header row in the sheet
    columns: list[Column]
    ignored: list[str] = field(default_factory=list)

    def fields(self) -> set[str]:
        return {c.field for c in self.columns}


def match(header: str, default_unit: str | None = None) -> Column | None:
    """The field a header names, with the unit it says (亿元/万元/元 → factor to 万元)."""
    text = fold(header)
    unit = _UNIT.search(text)
    factor = _FACTOR[unit[1] or unit[2]] if unit else _FACTOR[default_unit or "万元"]
    bare = _STRIP.sub("", _UNIT.sub("", text)).lower()
    if not bare:
        return None
    for name, variants in ALIASES.items():
        if bare in variants:
            return Column(-1, header, name, factor)
    for pattern, name, _ in PATTERNS:
        hit = pattern.match(bare)
        if hit:
            return Column(-1, header, name, factor, int(hit[1]))
    return None


def find_header(
    rows: list[list[str]], default_unit: str | None, scan: int = 30
) -> HeaderMap | None:
    """The row under any title lines naming the most known columns, a name or code among them."""
    best: HeaderMap | None = None
    for i, row in enumerate(rows[:scan]):
        columns, ignored = [], []
        for j, cell in enumerate(row):
            if not fold(cell):
                continue
            column = match(cell, default_unit)
            if column:
                column.index = j
                columns.append(column)
            else:
                ignored.append(str(cell).strip())
        named = {c.field for c in columns} & {"name", "code"}
        if named and len(columns) >= 2 and (best is None or len(columns) > len(best.columns)):
            best = HeaderMap(i, columns, ignored)
    return best

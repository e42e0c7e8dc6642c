"""Which column is which: the alias table, units written in headers, and the header row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from xzcore.ingest.values import UNIT_FACTOR, fold

# Field → the headers offices use for it (compared after fold(), with any unit removed).
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("项目代码", "项目编码", "项目编号", "代码", "编码", "code", "projectcode"),
    "name": ("项目名称", "项目全称", "名称", "name", "projectname", "project"),
    "tier": ("项目级别", "级别", "重要级别", "项目层级", "tier", "level"),
    # 行业类别 and 项目类别 are two breakdowns districts publish; a register may carry both.
    "category": ("行业类别", "所属行业", "行业", "行业分类", "产业类别", "category", "industry"),
    "project_type": ("项目类别", "项目类型", "项目分类", "类别", "双十类别", "projecttype"),
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
    "build_years": (
        "建设起止年限",
        "建设年限",
        "起止年限",
        "建设期限",
        "建设起止年份",
        "项目工期",
        "years",
    ),
    "lon": ("经度", "lon", "lng", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "amount": (
        "本月完成投资",
        "当月完成投资",
        "本月完成",
        "当月完成",
        "当月已完成投资",
        "本月投资",
        "本月完成投资额",
        "当月完成投资额",
        "本月实际完成投资",
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
        "年初至今完成投资",
        "年初至今累计完成",
        "年初至今",
        "自年初累计完成投资",
        "自年初累计",
        "本年累计",
        "年度累计完成",
        "本年完成投资",
        "年度完成投资",
        "ytd",
    ),
    "since_start": (
        "开工至今累计完成投资",
        "开工至报告期累计完成投资",
        "开工至本月底累计完成投资",
        "自开工累计完成投资",
        "自开工以来累计完成投资",
        "开工以来累计完成投资",
        "开工累计完成投资",
        "项目累计投资",
        "项目累计完成投资",
        "累计完成总投资",
        "开工至今累计",
        "自开工累计",
        "sincestart",
    ),
    "started": ("是否开工", "开工情况", "开工状态", "started"),
    # Derived columns: checked against the figures, never stored.
    "rate_plan": (
        "完成率",
        "投资完成率",
        "年度投资完成率",
        "年度完成率",
        "完成比例",
        "投资完成比例",
        "占年计划",
        "占年度计划",
        "占年度计划比例",
        "占年计划比例",
        "年度计划完成率",
    ),
    "rate_total": ("占总投资", "占总投资比例", "总投资完成率", "占总投资比重"),
    "stage": ("项目阶段", "项目状态", "项目当前状态", "阶段", "stage"),
    "image_progress": ("形象进度", "年初至报告期形象进度", "工程形象进度", "imageprogress"),
    "problems": ("存在问题", "存在的问题", "存在的问题及工作建议", "问题", "problems"),
    "month": ("报告月份", "报告期", "月份", "month"),
}
# Headers that carry a year or a month inside them: (pattern, field, what the number means).
PATTERNS = [
    (re.compile(r"^(\d{4})年度?计划投资$"), "plan", "year"),
    (re.compile(r"^(\d{4})年度?投资计划$"), "plan", "year"),
    # 1-9月完成投资, 2020年1～9月累计完成投资, 1至9月份实际完成投资额: the year to date of month 9
    (
        re.compile(r"^(?:\d{4}年)?1月?[-—–~～至到](\d{1,2})月份?(?:累计|实际)?完成(?:投资额?)?$"),
        "ytd",
        "month",
    ),
    (re.compile(r"^(?:\d{4}年)?(\d{1,2})月份?(?:当月|实际)?完成投资额?$"), "amount", "month"),
    (re.compile(r"^(\d{1,2})月(?:计划|目标|计划投资|投资计划)?$"), "target", "month"),
]
MONEY = {"total_investment", "plan", "amount", "ytd", "since_start", "target"}
RATES = {"rate_plan", "rate_total"}
# What a user may map a column to by hand on the upload page (field → label).
MAPPABLE = {
    "code": "项目代码", "name": "项目名称", "tier": "项目级别", "project_type": "项目类别",
    "category": "行业类别", "township": "镇街道", "unit": "责任单位", "leader": "联系区领导",
    "owner": "项目业主", "build_type": "建设性质", "build_years": "建设起止年限",
    "total_investment": "总投资", "plan": "年度计划投资", "planned_start": "计划开工日期",
    "planned_completion": "计划竣工日期", "actual_start": "实际开工日期",
    "actual_completion": "实际竣工日期", "lon": "经度", "lat": "纬度",
    "amount": "本月完成投资", "ytd": "年初至报告期累计完成投资",
    "since_start": "开工至今累计完成投资", "started": "是否开工", "stage": "项目阶段",
    "image_progress": "形象进度", "problems": "存在问题",
    "rate_plan": "完成率（核对用）", "rate_total": "占总投资比例（核对用）", "month": "报告月份",
}  # fmt: skip
IGNORE = "ignore"
# A unit in brackets ("（万元）", "(单位：亿元)") or a 万元/亿元 written at the end; a bare 元 only
# in brackets, so that a word ending in 元 is not read as a unit.
_UNIT = re.compile(r"[(（\[]\s*(?:单位\s*[:：])?\s*(亿元|万元|元)\s*[)）\]]|/?(亿元|万元)$")
_STRIP = re.compile(r"[(（][^)）]*[)）]")


@dataclass
class Column:
    index: int
    header: str  # as the file writes it; over several header rows, joined with "/"
    field: str
    factor: Decimal = Decimal(1)
    number: int | None = None  # the year or month a header carried, or a target's month
    unit_given: bool = False  # the header (or a 单位 line) said the unit: no 元 guess needed
    sheet: str | None = None


@dataclass
class HeaderMap:
    row: int  # 0-based index of the LAST header row in the sheet
    columns: list[Column]
    ignored: list[str] = field(default_factory=list)
    depth: int = 1  # header rows joined into one name per column
    names: list[str] = field(default_factory=list)  # every non-empty header, joined

    def fields(self) -> set[str]:
        return {c.field for c in self.columns}


# A sub-header that only says "the figure" (its parent names which) or "its share" (a rate).
_MEASURE = re.compile(r"^(金额|投资额?|完成投资额?|数额|额度|合计|小计|总计|数值|万元|亿元|元)?$")
_SHARE = re.compile(r"^(占.*|.*(率|比例|比重|%))$")


def _unit_of(text: str) -> str | None:
    hit = _UNIT.search(text)
    return (hit[1] or hit[2]) if hit else None


def _bare(text: str) -> str:
    return _STRIP.sub("", _UNIT.sub("", text)).replace("%", "").lower()


def _alias(bare: str) -> tuple[str, int | None] | None:
    for name, variants in ALIASES.items():
        if bare in variants:
            return name, None
    for pattern, name, _ in PATTERNS:
        hit = pattern.match(bare)
        if hit:
            return name, int(hit[1])
    return None


def match(
    header: str, default_unit: str | None = None, mapping: dict[str, str] | None = None
) -> Column | None:
    """The field a header names, with the unit it says (亿元/万元/元 → factor to 万元).

    A header joined over several rows ("1-9月完成投资/金额（万元）") is read part by part: a
    parent that names the figure over a child that says 金额 or a share (占年度计划%), or a
    child that names a field itself. A hand mapping (header → field) wins over all of it.
    """
    parts = [fold(p) for p in header.split("/") if fold(p)] if "/" in header else [fold(header)]
    units = [u for u in (_unit_of(p) for p in reversed(parts)) if u]
    unit = units[0] if units else default_unit
    factor = UNIT_FACTOR[unit or "万元"]
    given = bool(units or default_unit)
    if mapping and header in mapping:
        chosen = mapping[header]
        if chosen not in MAPPABLE:
            return None
        return Column(-1, header, chosen, factor, _number(header), given)
    # A header of one row may hold a "/" itself (新建/续建): read whole first.
    found = _joined([fold(header)]) if "/" in header else None
    found = found or (_joined(parts) if parts else None)
    if found is None:
        return None
    name, number = found
    return Column(-1, header, name, factor, number, given)


def _number(header: str) -> int | None:
    for part in (fold(p) for p in header.split("/")):
        found = _alias(_bare(part))
        if found and found[1]:
            return found[1]
    return None


def _joined(parts: list[str]) -> tuple[str, int | None] | None:
    if len(parts) == 1:
        return _alias(_bare(parts[0])) if _bare(parts[0]) else None
    *parents, child = parts
    parent = "".join(_bare(p) for p in parents)
    bare_child = _bare(child)
    if _SHARE.match(bare_child) and _alias(parent):
        return ("rate_total" if "总投资" in bare_child else "rate_plan"), None
    if _MEASURE.match(bare_child):
        return _alias(parent)
    # "1-9月" over "完成投资", or "投资情况" over "总投资": the two together, else the child
    return _alias(parent + bare_child) or _alias(bare_child)


def _filled(rows: list[list[str]], merged: list[tuple[int, int, int, int]], top: int, depth: int):
    """The header rows top…top+depth-1 with merged cells spread over their range.

    Workbooks say which cells are merged; a CSV only leaves the cells a parent spans blank,
    so there a blank header cell with a sub-header under it takes its left neighbour's text.
    """
    grid = [list(rows[i]) for i in range(top, top + depth)]
    width = max((len(r) for r in grid), default=0)
    for r in grid:
        r.extend([""] * (width - len(r)))
    for r0, c0, r1, c1 in merged:
        if r0 > top + depth - 1 or r1 < top:
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for i in range(max(r0, top), min(r1, top + depth - 1) + 1):
            for j in range(c0, min(c1 + 1, width)):
                grid[i - top][j] = value
    if not merged:
        for i in range(depth - 1):
            if sum(1 for t in grid[i] if fold(t)) < 2:
                continue  # a title or a 单位 line spans nothing: it is not a parent header
            for j in range(1, width):
                if not fold(grid[i][j]) and fold(grid[i + 1][j]) and fold(grid[i][j - 1]):
                    grid[i][j] = grid[i][j - 1]
    names = []
    for j in range(width):
        parts: list[str] = []
        for i in range(depth):
            text = str(grid[i][j]).strip()
            if fold(text) and (not parts or fold(parts[-1]) != fold(text)):
                parts.append(text)
        names.append("/".join(parts))
    return names


def find_header(
    rows: list[list[str]],
    default_unit: str | None,
    scan: int = 30,
    merged: list[tuple[int, int, int, int]] | None = None,
    mapping: dict[str, str] | None = None,
) -> HeaderMap | None:
    """The header under any title lines naming the most known columns, a name or code among them.

    One, two or three rows joined; on a tie the fewer rows win, so a title line above a
    one-row header is never taken for part of it.
    """
    best: HeaderMap | None = None
    best_score = (0, 0)
    for top in range(min(scan, len(rows))):
        for depth in (1, 2, 3):
            if top + depth > len(rows):
                break
            names = _filled(rows, merged or [], top, depth)
            columns, ignored = [], []
            for j, name in enumerate(names):
                if not name:
                    continue
                column = match(name, default_unit, mapping)
                if column:
                    column.index = j
                    columns.append(column)
                elif not (mapping and mapping.get(name) == IGNORE):
                    ignored.append(name)
            named = {c.field for c in columns} & {"name", "code"}
            if not named or len(columns) < 2:
                continue
            # Distinct fields count: a one-row reading of a two-row header spreads a merged
            # parent over its children and would count the same field twice.
            score = (len({(c.field, c.number) for c in columns}), -depth)
            if best is None or score > best_score:
                best_score = score
                best = HeaderMap(top + depth - 1, columns, ignored, depth, [n for n in names if n])
    return best

"""A file → a Parsed table: its kind, its period, one Record a project row, and every problem."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from xzcore.errors import XZError
from xzcore.ingest import values
from xzcore.ingest.headers import MONEY, RATES, Column, HeaderMap, find_header
from xzcore.ingest.read import Sheet, UnreadableFile, cell_text, max_rows, read, too_many_rows
from xzcore.period import Month

STAGE_WORDS = {
    "签约": "签约",
    "开工": "开工",
    "新开工": "开工",
    "在建": "在建",
    "推进": "在建",
    "续建": "在建",
    "竣工": "竣工",
    "完工": "竣工",
    "投运": "投运",
    "投产": "投运",
}
BUILD_TYPES = {"新建": "新建", "新开工": "新建", "续建": "续建", "续建项目": "续建"}
_TOTAL = re.compile(r"^(合计|总计|小计|全区合计|总合计|共计|其中[:：])")
# Group rows of a 序号 column: 一、省重点项目 / （二）市重点项目 / 三 — headings, not projects.
_GROUP = re.compile(r"^([一二三四五六七八九十]+(、|\.|$)|[(（][一二三四五六七八九十]+[)）])")
_NOTE = re.compile(r"^(注|说明|备注|填报|制表|审核|单位[:：]|填表)")
# 2020年8月, 2020年1-8月, 2020年1月-8月, 2020年1月至8月: the month is the last one named.
_FULL_MONTH = re.compile(r"(\d{4})\s*年\s*(?:1\s*月?\s*[-—–~～至到]\s*)?(\d{1,2})\s*月")
_DASHED_MONTH = re.compile(r"(?<!\d)(\d{4})[-_.](\d{1,2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(20\d{2})\s*年")
_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(亿元|万元|元)")


@dataclass(frozen=True)
class Problem:
    level: str  # "error" blocks the commit; "warning" needs an accept and a reason; "info" is said
    message: str
    row: int | None = None  # the file's own row number, as Excel shows it
    column: str | None = None  # the column's header as written in the file
    sheet: str | None = None  # the workbook sheet, when the file has more than one table
    rule: str | None = None  # a plausibility rule's key (checks.RULES), e.g. "yuan"

    def __str__(self) -> str:
        where = "".join(
            [
                f"工作表“{self.sheet}”" if self.sheet else "",
                f"第{self.row}行" if self.row else "",
                f"「{self.column}」" if self.column else "",
            ]
        )
        return f"{where}：{self.message}" if where else self.message


@dataclass
class Record:
    row: int
    values: dict
    bad: set[str] = field(default_factory=set)  # fields whose cell was refused (own message)
    sheet: str | None = None  # named only when the file holds more than one table
    part: int = 0  # index into Parsed.parts


@dataclass
class Part:
    """One table of the file: a CSV, or one sheet of a workbook."""

    sheet: str
    header_row: int  # the file's row number of the last header row
    header_rows: int  # header rows joined into one name per column
    columns: list[Column]
    ignored: list[str]
    layout: str  # a digest of the headers: the key a hand mapping is remembered under

    @functools.cached_property
    def fields(self) -> set[str]:
        return {c.field for c in self.columns}

    @functools.cached_property
    def units(self) -> tuple[dict[str, str], set[str], dict[str, Decimal]]:
        """What the plausibility rules ask of the columns, once a table, not once a row:
        field → header, the fields whose unit was stated, and those columns' factors."""
        given = [c for c in self.columns if c.unit_given]
        return (
            {c.field: c.header for c in self.columns},
            {c.field for c in given},
            {c.field: c.factor for c in given},
        )

    @property
    def progress(self) -> bool:
        return bool(self.fields & {"amount", "ytd"})

    @property
    def register(self) -> bool:
        return "plan" in self.fields


@dataclass
class Parsed:
    file_name: str
    sha256: str
    kind: str | None  # register | progress | combined (a 进展情况表 with plan and figures)
    year: int | None
    month: int | None
    parts: list[Part]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (sheet, why) without a table
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    period_sources: dict[str, str] = field(default_factory=dict)

    @property
    def period(self) -> Month | None:
        return Month(self.year, self.month) if self.year and self.month else None

    @property
    def has_progress(self) -> bool:
        return self.kind in ("progress", "combined")

    @property
    def sheet(self) -> str:
        return self.parts[0].sheet

    @property
    def header_row(self) -> int:
        return self.parts[0].header_row

    @property
    def columns(self) -> list[Column]:
        return [c for part in self.parts for c in part.columns]

    @property
    def ignored(self) -> list[str]:
        if len(self.parts) == 1:
            return self.parts[0].ignored
        return [f"{p.sheet}：{name}" for p in self.parts for name in p.ignored]

    def header(self, field_name: str, record: Record | None = None) -> str | None:
        """The header the file wrote for a field (in the record's own sheet), if it has one."""
        parts = [self.parts[record.part]] if record else self.parts
        return next((c.header for p in parts for c in p.columns if c.field == field_name), None)


def _text(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""  # rows are cell texts already (_tables)


NO_TABLE = "没有找到表格：前30行中没有同时含“项目名称”或“项目代码”的表头行"


def _tables(sheets: list[Sheet], wanted: str | None, mapping, yuan):
    """Every sheet that holds a table, with its header; the others with why they were skipped."""
    if wanted is not None:
        named = [s for s in sheets if s.name == wanted]
        if not named:
            raise UnreadableFile(
                f"找不到工作表“{wanted}”，文件中有：{'、'.join(s.name for s in sheets)}"
            )
        sheets = named
    found, skipped = [], []
    for sheet in sheets:
        texts = [[cell_text(c) for c in row] for row in sheet.rows]
        header = find_header(texts, _unit_line(texts[:30]), merged=sheet.merged, mapping=mapping)
        if header is None:
            why = "空白工作表" if not any(any(t.strip() for t in r) for r in texts) else "没有表头"
            skipped.append((sheet.name, f"{why}（前30行中没有含“项目名称”或“项目代码”的表头行）"))
            continue
        for column in header.columns:
            if column.header in yuan and column.field in MONEY:
                column.factor, column.unit_given = values.YUAN, True
        found.append((sheet, texts, header))
    if not found:
        raise UnreadableFile(NO_TABLE)
    return found, skipped


def _unit_line(rows: list[list[str]]) -> str | None:
    for row in rows:
        for cell in row:
            hit = _UNIT_LINE.search(values.fold(cell))
            if hit:
                return hit[1]
    return None


class ProblemLedger(XZError):
    """The file is the office's 问题台账, not a register or a monthly report: it goes to the
    problems' importer (xzcore.problems.importer), which takes the sheets as read here."""

    def __init__(self, sheets: list[Sheet]):
        super().__init__(
            "这是问题台账，请在「问题督办 → 导入台账」中导入（命令行：problems import）"
        )
        self.sheets = sheets


class NodeFile(XZError):
    """The file is a node file (项目, 节点, 计划日期, 实际日期 …), not a register or a monthly
    report: it goes to the nodes' importer (xzcore.nodes.importer), which takes the sheets as
    read here."""

    def __init__(self, sheets: list[Sheet]):
        super().__init__("这是节点表，请在「项目推进 → 导入节点表」中导入（命令行：nodes import）")
        self.sheets = sheets


def _not_a_ledger(sheets: list[Sheet]) -> None:
    """Raise ProblemLedger when a file that is neither a register nor a report is a ledger,
    NodeFile when it is a node file."""
    from xzcore.nodes import importer as nodes
    from xzcore.problems import importer

    if importer.recognised(sheets):
        raise ProblemLedger(sheets)
    if nodes.recognised(sheets):
        raise NodeFile(sheets)


def parse(
    data: bytes,
    file_name: str,
    month: Month | None = None,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    yuan: frozenset[str] = frozenset(),
) -> Parsed:
    """Read, find each table's header, map columns, parse every row; never touches the database.

    mapping: header → field chosen by hand; yuan: headers of money columns to read as 元.
    """
    sheets = read(data, file_name)
    try:
        found, skipped = _tables(sheets, sheet, mapping, yuan)
    except UnreadableFile:
        _not_a_ledger(sheets)  # a 问题台账 with no project column has no table of ours
        raise
    parts = []
    for chosen, _, header in found:
        columns, ignored = _dedupe(header)
        names = "|".join(sorted(values.fold(n) for n in header.names))
        layout = hashlib.sha256(names.encode()).hexdigest()[:16]
        parts.append(Part(chosen.name, header.row + 1, header.depth, columns, ignored, layout))
    progress, register = any(p.progress for p in parts), any(p.register for p in parts)
    kind = "combined" if progress and register else "progress" if progress else None
    parsed = Parsed(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        kind=kind or ("register" if register else None),
        year=None,
        month=None,
        parts=parts,
        skipped=skipped,
    )
    if parsed.kind is None:
        _not_a_ledger(sheets)
        parsed.problems.append(
            Problem(
                "error",
                "缺少必需的列：计划表需要“年度计划投资”，月报需要“本月完成投资”或“累计完成投资”",
            )
        )
        return parsed
    limit = max_rows()
    titles = []
    for index, ((_, texts, header), part) in enumerate(zip(found, parts, strict=True)):
        name = part.sheet if len(parts) > 1 else None
        for number, row in enumerate(texts[header.row + 1 :], start=header.row + 2):
            first = next(filter(None, map(values.fold, row)), "")
            if _NOTE.match(first):
                break  # 注：1. … and the lines under it, 填表人/审核人: the table has ended
            record = _record(row, first, number, part.columns, parsed.problems, name)
            if record:
                record.part = index
                parsed.records.append(record)
                if len(parsed.records) > limit:
                    raise too_many_rows()
        titles.extend(texts[: header.row + 1 - header.depth])
    _resolve_period(parsed, titles, month)
    if not parsed.records:
        parsed.problems.append(Problem("error", "表头下面没有任何项目行"))
    return parsed


def _dedupe(header: HeaderMap) -> tuple[list[Column], list[str]]:
    """One column a field: a second “项目代码” is listed as ignored, never silently merged."""
    seen, columns, ignored = set(), [], list(header.ignored)
    for column in header.columns:
        key = (column.field, column.number) if column.field == "target" else column.field
        if key in seen:
            ignored.append(f"{column.header}（重复列，已忽略）")
            continue
        seen.add(key)
        columns.append(column)
    return columns, ignored


def _record(
    row: list[str],
    first: str,
    number: int,
    columns: list[Column],
    problems: list[Problem],
    sheet: str | None,
) -> Record | None:
    """One project row; None for a blank, totals, group or note row. first: its first cell."""
    cells = {
        c.field if c.field != "target" else f"target{c.number}": _text(row, c.index)
        for c in columns
    }
    if not first:
        return None
    label = next(filter(None, map(values.fold, cells.values())), "")
    if not label or _TOTAL.match(label) or _TOTAL.match(first):
        return None  # blank where the table has columns, or a totals row
    if _GROUP.match(first) or _GROUP.match(values.fold(cells.get("name", ""))):
        return None  # 一、省重点项目: a heading over a group (its subtotals are not a project)
    if all(values.is_empty(cells.get(f, "")) for f in ("name", "code")):
        problems.append(Problem("error", "缺少项目名称和项目代码", number, sheet=sheet))
        return None
    parsed: dict = {"targets": {}, "rates": {}}
    bad: set[str] = set()
    for column in columns:
        text = _text(row, column.index)
        if column.field in RATES:  # checked against the figures, never stored
            rate = _rate(text, column, number, sheet, problems)
            if rate is not None:
                parsed["rates"][column.field] = (text, rate)
            continue
        try:
            value = _convert(column, text)
        except values.ValueProblem as exc:
            problems.append(Problem("error", str(exc), number, column.header, sheet))
            bad.add(column.field)
            continue
        if column.field in MONEY and value is not None and value < 0:
            problems.append(
                Problem("error", f"金额不能为负数（{text}）", number, column.header, sheet)
            )
            bad.add(column.field)
            continue
        if column.field == "target":
            if value is not None:
                parsed["targets"][column.number] = value
        elif column.field == "build_years":
            parsed["start_year"], parsed["end_year"] = value or (None, None)
        else:
            parsed[column.field] = value
    return Record(number, parsed, bad, sheet)


def _rate(text: str, column: Column, row: int, sheet, problems) -> Decimal | None:
    """A derived share as a fraction (85.3% → 0.853); a share without % is read as written."""
    try:
        value = values.percent(text)
    except values.ValueProblem as exc:
        problems.append(Problem("warning", f"{exc}，未核对", row, column.header, sheet))
        return None
    if value is not None and "%" in column.header and "%" not in text:
        value /= 100  # the header says the column is in per cent: 85.3 means 85.3%
    return value


def _convert(column: Column, text: str):
    name = column.field
    if name in MONEY:
        return values.number(text, column.factor)
    if name in ("planned_start", "planned_completion", "actual_start", "actual_completion"):
        return values.date(text)
    if name in ("lon", "lat"):
        value = values.number(text)
        low, high = (70, 140) if name == "lon" else (0, 60)
        if value is not None and not low <= value <= high:
            raise values.ValueProblem(f"“{text}”不是中国境内的{'经' if name == 'lon' else '纬'}度")
        return None if value is None else float(value)
    if name == "stage":
        return _word(text, STAGE_WORDS, "项目阶段")
    if name == "build_type":
        return _word(text, BUILD_TYPES, "建设性质")
    if name == "started":
        return values.yes_no(text)
    if name == "build_years":
        return values.years(text)
    if name == "month":
        return None if values.is_empty(text) else values.fold(text)
    return None if values.is_empty(text) else values.clean(text)


def _word(text: str, allowed: dict, what: str) -> str | None:
    if values.is_empty(text):
        return None
    folded = values.fold(text)
    if folded not in allowed:
        raise values.ValueProblem(
            f"“{text}”不是有效的{what}（可填：{'、'.join(dict.fromkeys(allowed.values()))}）"
        )
    return allowed[folded]


def _resolve_period(parsed: Parsed, title_rows: list[list[str]], given: Month | None) -> None:
    """Year and month from a column, the title, the headers or the file name; disagreement asks."""
    title = " ".join(values.clean(c) for row in title_rows for c in row if values.clean(c))
    sources: dict[str, tuple[int | None, int | None]] = {}
    for label, text in (("标题", title), ("文件名", parsed.file_name)):
        hit = _FULL_MONTH.search(text) or _DASHED_MONTH.search(text)
        year = _YEAR.search(text)
        if hit:
            sources[label] = (int(hit[1]), int(hit[2]) if parsed.has_progress else None)
        elif year:
            sources[label] = (int(year[1]), None)
    column_months = {r.values.get("month") for r in parsed.records} - {None}
    for text in column_months:
        hit = _FULL_MONTH.search(text) or _DASHED_MONTH.search(text)
        if not hit:
            parsed.problems.append(Problem("error", f"报告月份“{text}”无法识别", column="报告月份"))
            continue
        sources[f"“报告月份”列（{text}）"] = (int(hit[1]), int(hit[2]))
    for column in parsed.columns:
        if column.number and column.field == "plan":
            sources[f"表头“{column.header}”"] = (column.number, None)
        if column.number and column.field in ("ytd", "amount") and parsed.has_progress:
            sources[f"表头“{column.header}”"] = (None, column.number)
    if parsed.kind == "register":
        sources = {k: (y, None) for k, (y, _) in sources.items() if y}
    parsed.period_sources = {
        k: "-".join(str(x) for x in v if x is not None) for k, v in sources.items()
    }
    if given:
        parsed.year, parsed.month = given.year, given.month if parsed.has_progress else None
        return
    years = {y for y, _ in sources.values() if y}
    months = {m for _, m in sources.values() if m}
    if len(years) > 1 or len(months) > 1:
        seen = "；".join(f"{k}：{v}" for k, v in parsed.period_sources.items())
        parsed.problems.append(Problem("error", f"文件中的报告期不一致（{seen}），请指定报告月份"))
        return
    parsed.year = next(iter(years), None)
    parsed.month = next(iter(months), None) if parsed.has_progress else None
    if not 1 <= (parsed.month or 1) <= 12 or not 1900 <= (parsed.year or 2000) <= 2200:
        seen = "；".join(f"{k}：{v}" for k, v in parsed.period_sources.items())
        parsed.problems.append(Problem("error", f"文件中的报告期无效（{seen}），请指定报告月份"))
        parsed.year = parsed.month = None  # a 13月 is a typo to ask about, not a month to build
        return
    if parsed.year is None or (parsed.has_progress and parsed.month is None):
        what = "报告月份" if parsed.has_progress else "计划年度"
        parsed.problems.append(Problem("error", f"无法从文件确定{what}，请指定（例如 2020-08）"))

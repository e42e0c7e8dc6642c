"""A file → a Parsed table: its kind, its period, one Record a project row, and every problem."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from xzcore.ingest import values
from xzcore.ingest.headers import MONEY, Column, HeaderMap, find_header
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
_TOTAL = re.compile(r"^(合计|总计|小计|全区合计|总合计|共计)")
_NOTE = re.compile(r"^(注|说明|备注|填报|制表|审核|单位[:：]|填表)")
# 2020年8月, 2020年1-8月, 2020年1月-8月, 2020年1月至8月: the month is the last one named.
_FULL_MONTH = re.compile(r"(\d{4})\s*年\s*(?:1\s*月?\s*[-—–~～至到]\s*)?(\d{1,2})\s*月")
_DASHED_MONTH = re.compile(r"(?<!\d)(\d{4})[-_.](\d{1,2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(20\d{2})\s*年")
_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(亿元|万元|元)")


@dataclass
class Problem:
    level: str  # "error" blocks the commit; "warning" needs an explicit accept
    message: str
    row: int | None = None  # the file's own row number, as Excel shows it
    column: str | None = None  # the column's header as written in the file

    def __str__(self) -> str:
        where = "".join(
            [f"第{self.row}行" if self.row else "", f"「{self.column}」" if self.column else ""]
        )
        return f"{where}：{self.message}" if where else self.message


@dataclass
class Record:
    row: int
    values: dict
    bad: set[str] = field(default_factory=set)  # fields whose cell was refused (own message)


@dataclass
class Parsed:
    file_name: str
    sha256: str
    sheet: str
    kind: str | None
    year: int | None
    month: int | None
    header_row: int
    columns: list[Column]
    ignored: list[str]
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    period_sources: dict[str, str] = field(default_factory=dict)

    @property
    def period(self) -> Month | None:
        return Month(self.year, self.month) if self.year and self.month else None


def _text(row: list, index: int) -> str:
    return cell_text(row[index]) if index < len(row) else ""


def _pick_sheet(
    sheets: list[Sheet], wanted: str | None
) -> tuple[Sheet, list[list[str]], HeaderMap]:
    if wanted is not None:
        named = [s for s in sheets if s.name == wanted]
        if not named:
            raise UnreadableFile(
                f"找不到工作表“{wanted}”，文件中有：{'、'.join(s.name for s in sheets)}"
            )
        sheets = named
    found = []
    for sheet in sheets:
        texts = [[cell_text(c) for c in row] for row in sheet.rows]
        header = find_header(texts, _unit_line(texts[:30]))
        if header:
            found.append((sheet, texts, header))
    if not found:
        raise UnreadableFile("没有找到表格：前30行中没有同时含“项目名称”或“项目代码”的表头行")
    return max(found, key=lambda f: len(f[2].columns))


def _unit_line(rows: list[list[str]]) -> str | None:
    for row in rows:
        for cell in row:
            hit = _UNIT_LINE.search(values.fold(cell))
            if hit:
                return hit[1]
    return None


def parse(
    data: bytes, file_name: str, month: Month | None = None, sheet: str | None = None
) -> Parsed:
    """Read, find the header, map columns, parse every row; never touches the database."""
    chosen, texts, header = _pick_sheet(read(data, file_name), sheet)
    columns, ignored = _dedupe(header)
    fields = {c.field for c in columns}
    kind = "progress" if fields & {"amount", "ytd"} else "register" if "plan" in fields else None
    parsed = Parsed(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        sheet=chosen.name,
        kind=kind,
        year=None,
        month=None,
        header_row=header.row + 1,
        columns=columns,
        ignored=ignored,
    )
    if kind is None:
        parsed.problems.append(
            Problem(
                "error",
                "缺少必需的列：计划表需要“年度计划投资”，月报需要“本月完成投资”或“累计完成投资”",
            )
        )
        return parsed
    limit = max_rows()
    for index, row in enumerate(texts[header.row + 1 :], start=header.row + 2):
        record = _record(row, index, columns, parsed.problems)
        if record:
            parsed.records.append(record)
            if len(parsed.records) > limit:
                raise too_many_rows()
    _resolve_period(parsed, texts[: header.row], month)
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
    row: list, number: int, columns: list[Column], problems: list[Problem]
) -> Record | None:
    cells = {
        c.field if c.field != "target" else f"target{c.number}": _text(row, c.index)
        for c in columns
    }
    if not any(values.fold(t) for t in row if isinstance(t, str)) and not any(cells.values()):
        return None
    label = next((values.fold(t) for t in cells.values() if values.fold(t)), "")
    first = next((values.fold(t) for t in row if values.fold(t)), "")
    if not label or _TOTAL.match(label) or _TOTAL.match(first) or _NOTE.match(first):
        return None  # blank, a totals row, or a note under the table
    if all(values.is_empty(cells.get(f, "")) for f in ("name", "code")):
        problems.append(Problem("error", "缺少项目名称和项目代码", number))
        return None
    parsed: dict = {"targets": {}}
    bad: set[str] = set()
    for column in columns:
        text = _text(row, column.index)
        try:
            value = _convert(column, text)
        except values.ValueProblem as exc:
            problems.append(Problem("error", str(exc), number, column.header))
            bad.add(column.field)
            continue
        if column.field in MONEY and value is not None and value < 0:
            problems.append(Problem("error", f"金额不能为负数（{text}）", number, column.header))
            bad.add(column.field)
            continue
        if column.field == "target":
            if value is not None:
                parsed["targets"][column.number] = value
        else:
            parsed[column.field] = value
    return Record(number, parsed, bad)


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
            sources[label] = (int(hit[1]), int(hit[2]) if parsed.kind == "progress" else None)
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
        if column.number and column.field in ("ytd", "amount"):
            sources[f"表头“{column.header}”"] = (None, column.number)
    if parsed.kind == "register":
        sources = {k: (y, None) for k, (y, _) in sources.items() if y}
    parsed.period_sources = {
        k: "-".join(str(x) for x in v if x is not None) for k, v in sources.items()
    }
    if given:
        parsed.year, parsed.month = given.year, given.month if parsed.kind == "progress" else None
        return
    years = {y for y, _ in sources.values() if y}
    months = {m for _, m in sources.values() if m}
    if len(years) > 1 or len(months) > 1:
        seen = "；".join(f"{k}：{v}" for k, v in parsed.period_sources.items())
        parsed.problems.append(Problem("error", f"文件中的报告期不一致（{seen}），请指定报告月份"))
        return
    parsed.year = next(iter(years), None)
    parsed.month = next(iter(months), None) if parsed.kind == "progress" else None
    if not 1 <= (parsed.month or 1) <= 12 or not 1900 <= (parsed.year or 2000) <= 2200:
        seen = "；".join(f"{k}：{v}" for k, v in parsed.period_sources.items())
        parsed.problems.append(Problem("error", f"文件中的报告期无效（{seen}），请指定报告月份"))
        parsed.year = parsed.month = None  # a 13月 is a typo to ask about, not a month to build
        return
    if parsed.year is None or (parsed.kind == "progress" and parsed.month is None):
        what = "报告月份" if parsed.kind == "progress" else "计划年度"
        parsed.problems.append(Problem("error", f"无法从文件确定{what}，请指定（例如 2020-08）"))

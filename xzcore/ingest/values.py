"""Cell texts → numbers and dates, the way offices write them."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from xzcore.errors import BadArgument

EMPTY = {"", "-", "—", "——", "--", "/", "／", "－", "无", "n/a", "na", "null", "none", "—/—"}
_UNIT_SUFFIX = re.compile(r"(亿元|万元|元)$")
# 万元 per unit of money: figures are kept in 万元 (DESIGN.md §2)
UNIT_FACTOR = {"亿元": Decimal(10000), "万元": Decimal(1), "元": Decimal("0.0001")}
YUAN = UNIT_FACTOR["元"]
_EXCEL_EPOCH = dt.date(1899, 12, 30)


class ValueProblem(ValueError):
    """A cell that cannot mean what its column needs; the message is Chinese and names it."""


def fold(text: object) -> str:
    """Full-width to half-width, spaces removed: how names and headers are compared."""
    # str.split() drops every Unicode space as \s does, several times faster than re.sub:
    # this runs on every cell of a 10,000-row upload.
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


def clean(text: object) -> str:
    """A free-text cell kept as typed (full-width punctuation too), ends trimmed."""
    return str(text or "").replace("\u3000", " ").strip()


def plain(value: Decimal) -> str:
    """A figure as people write it: 1671.0000 → 1671, 0.5000 → 0.5."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def is_empty(text: str) -> bool:
    return fold(text).lower() in EMPTY


def number(text: str, factor: Decimal = Decimal(1)) -> Decimal | None:
    """'１,２３４.５' → 1234.5 (times the column's unit factor to 万元); empty marks → None."""
    folded = fold(text).replace(",", "").replace("，", "")
    if folded.lower() in EMPTY:
        return None
    unit = _UNIT_SUFFIX.search(folded)
    if unit:  # a unit written in the cell wins over the header's
        factor, folded = UNIT_FACTOR[unit[1]], folded[: unit.start()]
    if folded.endswith("%"):
        raise ValueProblem(f"“{text}”是百分比，此列应填金额")
    try:
        value = Decimal(folded)
    except InvalidOperation:
        raise ValueProblem(f"“{text}”不是数字") from None
    if not value.is_finite():
        raise ValueProblem(f"“{text}”不是数字")
    # DECIMAL(18,4) holds 14 digits before the point: 1e300 is a typo, not a figure to store.
    if value.adjusted() > 20 or abs(value * factor) >= LIMIT:
        raise ValueProblem(f"“{text}”超出可存储的范围（最大 {LIMIT - 1:,} 万元）")
    return value * factor


LIMIT = Decimal(10) ** 14
_YES = {"是", "已开工", "开工", "已", "y", "yes", "true", "√", "✓", "1"}
_NO = {"否", "未开工", "未", "n", "no", "false", "×", "0"}


def yes_no(text: str) -> bool | None:
    """是/否, 已开工/未开工 and the ticks offices type."""
    folded = fold(text).lower()
    if folded in EMPTY:
        return None
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise ValueProblem(f"“{text}”应填“是”或“否”（也可填已开工、未开工）")


# 2019-2022, 2019年—2022年, 2019.3-2022.6 (the months are dropped: a year is what is kept)
_YEARS = re.compile(
    r"^(\d{4})(?:年|[.年]\d{1,2}月?)?(?:[-—–~至到](\d{4})(?:年|[.年]\d{1,2}月?)?)?$"
)


def years(text: str) -> tuple[int, int] | None:
    """建设起止年限: "2019-2022", "2019年—2022年", "2020" (one year)."""
    folded = fold(text)
    if folded.lower() in EMPTY:
        return None
    hit = _YEARS.match(folded)
    if not hit:
        raise ValueProblem(f"“{text}”不是建设起止年限（例：2019-2022）")
    start, end = int(hit[1]), int(hit[2] or hit[1])
    if not 1900 <= start <= end <= 2200:
        raise ValueProblem(f"“{text}”的起止年份无效")
    return start, end


def percent(text: str) -> Decimal | None:
    """'85%' or '0.85' → 0.85."""
    folded = fold(text)
    if folded.lower() in EMPTY:
        return None
    try:
        if folded.endswith("%"):
            return Decimal(folded[:-1]) / 100
        return Decimal(folded)
    except InvalidOperation:
        raise ValueProblem(f"“{text}”不是百分比") from None


_DATE_FORMS = [
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_FORMS = [re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")]
# A time after the date ("2020-02-20 08:30:00", as systems export it and as an Excel datetime
# cell reads): cut off before fold() takes the space out and glues it to the day.
_TIME = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")


def date(text: str) -> dt.date | None:
    """2020-02-20, 2020/2/20, 2020年2月20日, 20200220, 2020.2 (→ 1st), Excel serial 43881."""
    folded = fold(_TIME.sub("", unicodedata.normalize("NFKC", str(text or "")).strip()))
    if folded.lower() in EMPTY:
        return None
    for form in _DATE_FORMS:
        match = form.match(folded)
        if match:
            return _make_date(text, int(match[1]), int(match[2]), int(match[3]))
    for form in _MONTH_FORMS:
        match = form.match(folded)
        if match:
            return _make_date(text, int(match[1]), int(match[2]), 1)
    if re.fullmatch(r"\d{5}(\.0+)?", folded):  # an Excel serial day number typed as text
        serial = int(float(folded))
        if 20000 <= serial <= 80000:
            return _EXCEL_EPOCH + dt.timedelta(days=serial)
    raise ValueProblem(f"“{text}”不是可识别的日期（例：2020-02-20、2020年2月20日）")


def _make_date(text: str, year: int, month: int, day: int) -> dt.date:
    if not 1900 <= year <= 2100 or not 1 <= month <= 12:
        raise ValueProblem(f"“{text}”不是有效日期")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValueProblem(f"“{text}”这一天不存在")
    return dt.date(year, month, day)


def form_date(value, what: str, *, required: bool = True) -> dt.date | None:
    """A date given on a form or the command line: a date, a datetime or ISO text (2020-09-30).
    Empty is refused when required, else None."""
    if value is None or value == "":
        if required:
            raise BadArgument(f"请填写{what}")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadArgument(f"{what}应为日期，如 2020-09-30，收到“{value}”") from None

"""Plausibility of one row's reported figures (DESIGN.md §7, 审核规则).

Modelled on the fixed-asset investment statistics platform: 强制性审核 refuses the row ("error"),
核实性审核 lets it pass once someone confirms it with a reason ("warning"). Pure: plan.py gathers
the row's figures and what the database held before the upload into a `Figures`, and gets back
`Problem`s naming the row, the column, the figures compared and the rule in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from xzcore.ingest.parse import Problem
from xzcore.ingest.values import fold


@dataclass
class Figures:
    """One row's money figures in 万元 (already multiplied by the column's unit factor), and the
    references. Keys of `columns`, `unit_given` and `factors` are the attribute names below
    (amount, ytd, since_start, plan, total) plus "rate_plan"/"rate_total" for the rate columns;
    the parser's "total_investment" is accepted for "total"."""

    row: int  # the file's own row number
    sheet: str | None  # workbook sheet name, or None
    name: str  # the project's name (for messages)
    amount: Decimal | None  # 本月完成 from the file
    ytd: Decimal | None  # 年初至报告期累计 from the file (or derived: previous + amount)
    since_start: Decimal | None  # 开工至今累计 from the file
    plan: Decimal | None  # annual plan: from the file if the file has it, else the database
    total: Decimal | None  # 总投资: from the file if the file has it, else the database
    previous_ytd: Decimal | None  # last month's cumulative in the database (None in January)
    db_plan: Decimal | None  # the plan as stored before this upload (independent of the file)
    db_total: Decimal | None  # 总投资 as stored before this upload
    columns: dict[str, str] = field(default_factory=dict)  # field -> header as the file writes it
    unit_given: set[str] = field(default_factory=set)  # fields whose column said its unit
    # derived columns the file carries: "rate_plan" / "rate_total" -> (text as typed, fraction)
    rates: dict[str, tuple[str, Decimal]] = field(default_factory=dict)
    # Added: field -> the unit factor to 万元 of a column that stated its unit (1 for 万元).
    # Only a stated 万元 is checked for 元; without an entry a stated unit is believed.
    factors: dict[str, Decimal] = field(default_factory=dict)


RULES: dict[str, str] = {
    "ytd_below_amount": "强制性审核：年初至报告期累计完成投资不得小于本月完成投资",
    "since_start_below_ytd": "强制性审核：开工至今累计完成投资不得小于本年累计完成投资",
    "yuan": "核实性审核：金额约为年度计划、总投资或上月累计所能解释的一万倍，疑似按“元”填报",
    "over_total": "核实性审核：累计完成投资不应超过项目总投资",
    "month_over_plan": "核实性审核：本月完成投资不应超过年度计划投资",
    "plan_over_total": "核实性审核：年度计划投资不应超过项目总投资",
    "rate_mismatch": "核实性审核：完成率、占总投资比例应与金额相符（按所填小数位允许四舍五入误差）",
    "ytd_below_last": "核实性审核：年初至报告期累计完成投资不应低于上月累计",
}

LABELS = {
    "amount": "本月完成",
    "ytd": "年初至报告期累计",
    "since_start": "开工至今累计",
    "plan": "年度计划",
    "total": "总投资",
}
_ALIAS = {"total_investment": "total"}
_YUAN = Decimal(10000)  # 元 per 万元

# For each figure, the references it is judged against and the figure's usual size per unit of
# each: a month is a small share of the year's plan and a smaller one of the total; a cumulative
# is of the order of the plan; since-start and total span several years of plans. E = the
# largest ref × scale is the biggest figure the references make usual.
_SCALES: dict[str, dict[str, Decimal]] = {
    "amount": {"plan": Decimal("0.25"), "total": Decimal("0.05")},
    "ytd": {"plan": Decimal(1), "total": Decimal("0.1"), "previous": Decimal(10)},
    "since_start": {"total": Decimal(1), "plan": Decimal(10), "previous": Decimal(10)},
    "plan": {"plan": Decimal(1), "total": Decimal(1)},
    "total": {"total": Decimal(1), "plan": Decimal(10)},
}
_REF_LABELS = {"plan": "年度计划", "total": "总投资", "previous": "上月累计"}
# A figure read as 万元 that is ≥100× E, while read as 元 it is within 100× of E, is "about
# 10,000×": 100 is the geometric midpoint between 1× and 10,000×, so the figure sits nearer the
# 元 reading. A real cumulative of 3× its plan is 3× E, far below; the 元 figure of any project
# whose true figure is at least 1% of E lands at ≥100×. A column whose header (or 单位 line)
# stated 万元 is still checked — templates say 万元 and offices paste 元 from their ledgers, the
# very mistake the statistics platform's rule catches — but the stated unit counts as evidence,
# so the band narrows to within 10× of 10,000× (1,000×–100,000× E). A column stated in 亿元 or 元,
# or whose stated unit `factors` does not give, is not checked: 按元换算 would not give what such
# a message would promise.
_BAND = (Decimal(100), Decimal(1_000_000))
_BAND_STATED = (Decimal(1000), Decimal(100_000))
# Rates read from xlsx carry float noise in the 16th digit: no tolerance finer than 0.005 pp.
_FINEST = Decimal("0.00005")
_LOOSE = Decimal("0.005")  # a rate whose typed precision is unknown: whole percents


def check(f: Figures) -> list[Problem]:
    """Every rule for one row; refused ("error") and to-confirm ("warning") problems."""
    row = _Row(f)
    flagged = row.yuan()
    out = [p for _, p in sorted(flagged.items(), key=lambda kv: row.order(kv[0]))]
    out += row.refused()
    out += row.warnings(set(flagged))
    return out


def yuan_columns(problems: Iterable[Problem], order: Sequence[str] = ()) -> list[str]:
    """The distinct headers flagged 疑似按元填报: in `order` (the file's headers, left to right)
    when given, else as first flagged."""
    seen: list[str] = []
    for p in problems:
        if p.rule == "yuan" and p.column and p.column not in seen:
            seen.append(p.column)
    rank = {header: i for i, header in enumerate(order)}
    return sorted(seen, key=lambda h: rank.get(h, len(rank)))


def number(value: Decimal) -> str:
    """1710000000 → 1,710,000,000; 171000.0000 → 171,000; 0.50 → 0.5."""
    text = format(value.normalize(), ",f")
    return "0" if text in ("-0", "0") else text


def _wan(value: Decimal) -> str:
    return f"{number(value)} 万元"


def _times(ratio: Decimal) -> str:
    step = Decimal(1) if ratio >= 10 else Decimal("0.1")
    return number(ratio.quantize(step, ROUND_HALF_UP))


class _Row:
    def __init__(self, f: Figures):
        self.f = f
        self.cols = {_ALIAS.get(k, k): v for k, v in f.columns.items()}
        self.stated = {_ALIAS.get(k, k) for k in f.unit_given}
        self.factors = {_ALIAS.get(k, k): v for k, v in f.factors.items()}
        self.flagged: set[str] = set()

    def order(self, name: str) -> int:
        return list(self.cols).index(name)

    def value(self, name: str) -> Decimal | None:
        return getattr(self.f, name)

    def sources(self, name: str) -> set[str]:
        """The file's columns a figure comes from: its own, or the one it was derived from
        (ytd = previous + amount, amount = ytd − previous); empty for the database's."""
        if name in self.cols:
            return {name}
        twin = {"ytd": "amount", "amount": "ytd"}.get(name)
        return {twin} if twin in self.cols else set()

    def column(self, name: str) -> str | None:
        return next((self.cols[s] for s in sorted(self.sources(name))), None)

    def tainted(self, name: str) -> bool:
        return bool(self.sources(name) & self.flagged)

    def problem(self, level: str, rule: str, message: str, name: str | None) -> Problem:
        column = self.column(name) if name in LABELS else self.cols.get(name or "")
        return Problem(level, message, self.f.row, column, self.f.sheet, rule)

    # 疑似按元填报 ------------------------------------------------------------------------

    def references(self, name: str) -> list[tuple[str, Decimal]]:
        """(kind, value) of the figures independent of this column: what the database held, and
        the file's plan/total only where their column stated its unit (and was not flagged)."""
        f, refs = self.f, []
        for kind, db, mine in (("plan", f.db_plan, f.plan), ("total", f.db_total, f.total)):
            refs.append((kind, db))
            if kind != name and (kind not in self.cols or kind in self.stated - self.flagged):
                refs.append((kind, mine))
        refs.append(("previous", f.previous_ytd))
        return [(k, v) for k, v in refs if v is not None and v > 0 and k in _SCALES[name]]

    def yuan(self) -> dict[str, Problem]:
        found: dict[str, Problem] = {}
        # plan and total first: a flagged one is no reference for the cumulative figures
        for name in ("plan", "total", "amount", "ytd", "since_start"):
            problem = self._yuan_one(name)
            if problem:
                found[name] = problem
                self.flagged.add(name)
        return found

    def _yuan_one(self, name: str) -> Problem | None:
        if name not in self.cols:  # first: most files carry two or three of the five figures
            return None
        value = self.value(name)
        if value is None or value == 0:
            return None
        stated = name in self.stated
        if stated and self.factors.get(name) != 1:
            return None
        refs = self.references(name)
        if not refs:
            return None
        usual, kind, ref = max((v * _SCALES[name][k], k, v) for k, v in refs)
        ratio = abs(value) / usual
        low, high = _BAND_STATED if stated else _BAND
        if not low <= ratio <= high:
            return None
        head = "疑似按“元”填报（该列注明万元，但数额不合情理）" if stated else "疑似按“元”填报"
        # the same figure as stored before this upload is the 原 one
        label = ("原" if kind == name else "") + _REF_LABELS[kind]
        message = (
            f"{head}：{LABELS[name]} {number(value)} 是{label} {_wan(ref)}的 "
            f"{_times(abs(value) / ref)} 倍；若按元填报，应为 {_wan(value / _YUAN)}"
        )
        return self.problem("warning", "yuan", message, name)

    # 强制性审核 --------------------------------------------------------------------------

    def refused(self) -> list[Problem]:
        f, out = self.f, []
        if f.ytd is not None and f.amount is not None and f.ytd < f.amount:
            out.append(
                self.problem(
                    "error",
                    "ytd_below_amount",
                    f"年初至报告期累计 {_wan(f.ytd)}小于本月完成 {_wan(f.amount)}"
                    "（本年累计含本月，不得小于本月）",
                    "ytd",
                )
            )
        if f.since_start is not None and f.ytd is not None and f.since_start < f.ytd:
            out.append(
                self.problem(
                    "error",
                    "since_start_below_ytd",
                    f"开工至今累计 {_wan(f.since_start)}小于本年累计 {_wan(f.ytd)}"
                    "（开工至今累计含本年，不得小于本年累计）",
                    "since_start",
                )
            )
        return out

    # 核实性审核 --------------------------------------------------------------------------

    def warnings(self, flagged: set[str]) -> list[Problem]:
        """A cell flagged as 元 gets no second message, and neither does a figure derived from it
        nor a comparison with a flagged plan or total (after 按元换算 the row is checked again)."""
        f, out = self.f, []
        total_ok = f.total is not None and f.total > 0 and "total" not in flagged
        plan_ok = f.plan is not None and f.plan > 0 and "plan" not in flagged
        if total_ok:
            # since-start ≥ ytd (else refused), so one cumulative above the total is enough
            for name in ("since_start", "ytd"):
                value = self.value(name)
                if value is None or not self.sources(name) or self.tainted(name):
                    continue
                if value > f.total:
                    out.append(
                        self.problem(
                            "warning",
                            "over_total",
                            f"{LABELS[name]} {_wan(value)}超过总投资 {_wan(f.total)}"
                            "（累计完成投资不应超过项目总投资）",
                            name,
                        )
                    )
                    break
        amount_ok = f.amount is not None and self.sources("amount") and not self.tainted("amount")
        if plan_ok and amount_ok and f.amount > f.plan:
            out.append(
                self.problem(
                    "warning",
                    "month_over_plan",
                    f"本月完成 {_wan(f.amount)}超过年度计划 {_wan(f.plan)}"
                    "（一个月的完成投资不应超过全年计划）",
                    "amount",
                )
            )
        from_file = "plan" in self.cols or "total" in self.cols
        if plan_ok and total_ok and from_file and f.plan > f.total:
            out.append(
                self.problem(
                    "warning",
                    "plan_over_total",
                    f"年度计划 {_wan(f.plan)}超过总投资 {_wan(f.total)}"
                    "（年度计划投资不应超过项目总投资）",
                    "plan" if "plan" in self.cols else "total",
                )
            )
        out += self.rates(plan_ok, total_ok)
        return out

    def rates(self, plan_ok: bool, total_ok: bool) -> list[Problem]:
        f, out = self.f, []
        since = f.since_start is not None
        pairs = {
            "rate_plan": ("完成率", "ytd", "plan", plan_ok),
            "rate_total": ("占总投资比例", "since_start" if since else "ytd", "total", total_ok),
        }
        for key, (label, top, bottom, ok) in pairs.items():
            typed = f.rates.get(key)
            figure = self.value(top)
            if typed is None or figure is None or not ok or self.tainted(top):
                continue
            actual = figure / self.value(bottom)
            readings = _readings(*typed)
            if not readings or any(abs(r - actual) <= tol for r, tol in readings):
                continue
            _, tol = min(readings, key=lambda rt: abs(rt[0] - actual) / rt[1])
            shown = number((actual * 100).quantize(Decimal("0.01"), ROUND_HALF_UP))
            out.append(
                self.problem(
                    "warning",
                    "rate_mismatch",
                    f"{label}“{typed[0].strip()}”与{LABELS[top]} {_wan(figure)} ÷ "
                    f"{LABELS[bottom]} {_wan(self.value(bottom))} = {shown}% 不符"
                    f"（按所填位数允许相差 {number(tol * 100)} 个百分点）",
                    key,
                )
            )
        return out


def _readings(text: str, value: Decimal | None) -> list[tuple[Decimal, Decimal]]:
    """(rate as a fraction, tolerance) for each way the typed text can be read. Half a unit in
    the last place typed: 85.3% → ±0.05 pp, 85% → ±0.5 pp, 0.853 → ±0.05 pp. A bare number may
    be a fraction (0.853) or a percent under a (%) header (85.3): both readings are tried."""
    folded = fold(text).replace(",", "")
    percent = folded.endswith(("%", "％"))
    try:
        typed = Decimal(folded.rstrip("%％"))
    except InvalidOperation:
        typed = None
    if typed is None or not typed.is_finite():
        return [(value, _LOOSE)] if value is not None else []
    half = Decimal(5).scaleb(typed.as_tuple().exponent - 1)
    as_percent = (typed / 100, max(half / 100, _FINEST))
    return [as_percent] if percent else [(typed, max(half, _FINEST)), as_percent]

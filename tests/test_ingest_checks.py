"""Plausibility rules on one row (DESIGN.md §7): each rule at its boundary, the messages in full,
and the 元 reading that must catch a real project's 元 figure but never a real 万元 one."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from xzcore.ingest.checks import RULES, Figures, check, number, yuan_columns
from xzcore.ingest.parse import Problem

HEADERS = {
    "amount": "本月完成投资",
    "ytd": "年初至报告期累计完成投资",
    "since_start": "开工至今累计完成投资",
    "plan": "年度计划投资",
    "total": "总投资",
    "rate_plan": "完成率",
    "rate_total": "占总投资比例",
}


def fig(file=(), **kw) -> Figures:
    """A row whose `file` fields came from the file (headers above); the rest from the database."""
    base = dict(
        row=7,
        sheet=None,
        name="隆基乐叶年产5GW单晶组件项目",
        amount=None,
        ytd=None,
        since_start=None,
        plan=None,
        total=None,
        previous_ytd=None,
        db_plan=None,
        db_total=None,
    )
    money = {"amount", "ytd", "since_start", "plan", "total", "previous_ytd", "db_plan", "db_total"}
    base.update({k: D(v) if k in money and v is not None else v for k, v in kw.items()})
    base.setdefault("columns", {f: HEADERS[f] for f in file})
    return Figures(**base)


def rules(problems: list[Problem]) -> list[str]:
    return [p.rule for p in problems]


# 疑似按元填报 ----------------------------------------------------------------------------


def test_yuan_september_report_of_a_50yi_project():
    """The issue's case: 1,710,000,000 typed in 元 under a header with no unit."""
    row = fig(["ytd"], ytd=1_710_000_000, plan=200_000, db_plan=200_000, total=500_000,
              db_total=500_000, sheet="区重点")  # fmt: skip
    assert check(row) == [
        Problem(
            "warning",
            "疑似按“元”填报：年初至报告期累计 1,710,000,000 是年度计划 200,000 万元的 8,550 倍；"
            "若按元填报，应为 171,000 万元",
            7,
            "年初至报告期累计完成投资",
            "区重点",
            "yuan",
        )
    ]  # and no "over_total" for the same cell, though 1,710,000,000 > 500,000
    assert yuan_columns(check(row)) == ["年初至报告期累计完成投资"]


def test_a_real_cumulative_three_times_its_plan_is_not_yuan():
    row = fig(["ytd"], ytd=600_000, plan=200_000, db_plan=200_000, total=1_000_000,
              db_total=1_000_000)  # fmt: skip
    assert check(row) == []


@pytest.mark.parametrize(
    ("ytd", "flagged"),
    [
        ("99999.99", False),  # just under 100× the plan: could still be a (strange) 万元 figure
        ("100000", True),  # 100×: nearer the 元 reading than the 万元 one
        ("1000000000", True),  # 1,000,000×: the 元 reading is itself 100× the plan
        ("1000000001", False),  # beyond: no unit mistake explains it
    ],
)
def test_yuan_band_boundaries(ytd, flagged):
    problems = check(fig(["ytd"], ytd=ytd, plan=1000, db_plan=1000))
    assert (rules(problems) == ["yuan"]) is flagged


def test_yuan_with_only_last_month_as_reference():
    # 上月累计 × 10 is the usual scale: 300 万元 in August, 3,500,000 in September = 1,166.7×
    problems = check(fig(["ytd"], ytd=3_500_000, previous_ytd=300))
    assert [p.message for p in problems] == [
        "疑似按“元”填报：年初至报告期累计 3,500,000 是上月累计 300 万元的 11,667 倍；"
        "若按元填报，应为 350 万元"
    ]
    assert check(fig(["ytd"], ytd=290_000, previous_ytd=300)) == []  # 96.7× the scale: no


def test_yuan_applies_to_every_money_field():
    base = dict(plan=200_000, total=500_000, db_plan=200_000, db_total=500_000,
                previous_ytd=150_000)  # fmt: skip
    # a month: usual scale a quarter of the plan (50,000) → flagged from 5,000,000
    assert rules(check(fig(["amount"], **base, amount=4_999_999))) == ["month_over_plan"]
    assert rules(check(fig(["amount"], **base, amount=5_000_000))) == ["yuan"]
    # since start: usual scale 10× plan or 10× last month (2,000,000) → from 200,000,000
    assert rules(check(fig(["since_start"], **base, since_start=199_999_999))) == ["over_total"]
    assert rules(check(fig(["since_start"], **base, since_start=200_000_000))) == ["yuan"]
    # the plan against the plan stored before and the total
    assert rules(check(fig(["plan"], **{**base, "plan": 2_000_000_000}))) == ["yuan"]
    # the total against the total stored before and 10× the plan
    row = fig(["total"], total=5_000_000_000, db_total=500_000, db_plan=20_000, plan=20_000)
    assert [p.message for p in check(row)] == [
        "疑似按“元”填报：总投资 5,000,000,000 是原总投资 500,000 万元的 10,000 倍；"
        "若按元填报，应为 500,000 万元"
    ]
    row = fig(["total"], **{**base, "total": 5_000_000_000})  # here 10× the plan is larger
    assert [p.message for p in check(row)] == [
        "疑似按“元”填报：总投资 5,000,000,000 是年度计划 200,000 万元的 25,000 倍；"
        "若按元填报，应为 500,000 万元"
    ]


def test_a_small_month_of_a_long_project_is_still_caught():
    # the 元 figure of a month worth 1% of the plan and 0.1% of the total
    row = fig(["amount"], amount=2_000_000, db_plan=20_000, plan=20_000, db_total=200_000)
    assert rules(check(row)) == ["yuan"]


def test_only_independent_references_count():
    # the file's own plan in a column without a unit may be in 元 as well: not a reference
    row = fig(["ytd", "plan"], ytd=1_710_000_000, plan=2_000_000_000)
    assert check(row) == []
    # with its unit stated it is one
    row.unit_given = {"plan"}
    row.plan = D(200_000)
    assert rules(check(row)) == ["yuan"]
    assert check(fig(["ytd"], ytd=1_710_000_000)) == []  # nothing to compare with


def test_a_stated_wanyuan_column_needs_a_thousandfold_ratio():
    row = fig(["ytd"], ytd=999_999, db_plan=1000, plan=1000, unit_given={"ytd"},
              factors={"ytd": D(1)})  # fmt: skip
    assert check(row) == []
    row.ytd = D(1_000_000)
    [problem] = check(row)
    assert problem.message == (
        "疑似按“元”填报（该列注明万元，但数额不合情理）：年初至报告期累计 1,000,000 是年度计划 "
        "1,000 万元的 1,000 倍；若按元填报，应为 100 万元"
    )
    # a stated unit other than 万元, or one whose factor is not known, is believed
    row.factors = {"ytd": D(10000)}
    assert check(row) == []
    row.factors = {}
    assert check(row) == []


def test_the_parsers_total_investment_key_is_accepted():
    row = fig(total=5_000_000_000, db_total=500_000, columns={"total_investment": "总投资(万元)"})
    [problem] = check(row)
    assert (problem.rule, problem.column) == ("yuan", "总投资(万元)")


def test_yuan_columns_in_file_order():
    one = check(fig(["ytd"], ytd=1_710_000_000, db_plan=200_000, row=3))
    two = check(fig(["amount"], amount=100_000_000, db_plan=200_000, row=4))
    problems = one + two + one
    assert yuan_columns(problems) == ["年初至报告期累计完成投资", "本月完成投资"]
    order = ["项目名称", "本月完成投资", "年初至报告期累计完成投资"]
    assert yuan_columns(problems, order) == ["本月完成投资", "年初至报告期累计完成投资"]
    assert yuan_columns([Problem("warning", "x", 3, "总投资", rule="over_total")]) == []


# 强制性审核 ------------------------------------------------------------------------------


def test_ytd_below_the_month_is_refused():
    assert check(fig(["amount", "ytd"], amount=1500, ytd=1500, db_plan=20_000)) == []
    assert check(fig(["amount", "ytd"], amount=1500, ytd="1499.99", db_plan=20_000)) == [
        Problem(
            "error",
            "年初至报告期累计 1,499.99 万元小于本月完成 1,500 万元（本年累计含本月，不得小于本月）",
            7,
            "年初至报告期累计完成投资",
            None,
            "ytd_below_amount",
        )
    ]


def test_since_start_below_ytd_is_refused():
    row = fig(["ytd", "since_start"], ytd=8000, since_start=8000, db_plan=10_000)
    assert check(row) == []
    row.since_start = D("7999.5")
    [problem] = check(row)
    assert (problem.level, problem.rule, problem.column) == (
        "error",
        "since_start_below_ytd",
        "开工至今累计完成投资",
    )
    assert problem.message == (
        "开工至今累计 7,999.5 万元小于本年累计 8,000 万元（开工至今累计含本年，不得小于本年累计）"
    )


# 核实性审核 ------------------------------------------------------------------------------


def test_cumulative_above_total_investment():
    row = fig(["ytd"], ytd=50_000, total=50_000, db_plan=40_000)
    assert check(row) == []
    row.ytd = D("50000.01")
    assert check(row) == [
        Problem(
            "warning",
            "年初至报告期累计 50,000.01 万元超过总投资 50,000 万元"
            "（累计完成投资不应超过项目总投资）",
            7,
            "年初至报告期累计完成投资",
            None,
            "over_total",
        )
    ]
    row.total = D(0)  # an unknown total written as 0 compares with nothing
    assert check(row) == []


def test_one_cumulative_above_total_is_enough_and_since_start_is_named():
    row = fig(["ytd", "since_start"], ytd=60_000, since_start=90_000, total=50_000, db_plan=60_000)
    [problem] = check(row)
    assert (problem.rule, problem.column) == ("over_total", "开工至今累计完成投资")
    assert problem.message.startswith("开工至今累计 90,000 万元超过总投资 50,000 万元")


def test_a_derived_cumulative_above_total_points_at_the_months_column():
    # ytd = last month's cumulative + this month's amount, the file has only the month
    row = fig(["amount"], amount=3000, ytd=51_000, previous_ytd=48_000, total=50_000, plan=60_000)
    [problem] = check(row)
    assert (problem.rule, problem.column) == ("over_total", "本月完成投资")


def test_month_above_the_annual_plan():
    row = fig(["amount"], amount=2600, plan=2600, db_plan=2600)
    assert check(row) == []
    row.amount = D("2600.1")
    assert check(row) == [
        Problem(
            "warning",
            "本月完成 2,600.1 万元超过年度计划 2,600 万元（一个月的完成投资不应超过全年计划）",
            7,
            "本月完成投资",
            None,
            "month_over_plan",
        )
    ]


def test_plan_above_total_investment():
    row = fig(["plan"], plan=50_000, total=50_000, db_total=50_000, db_plan=48_000)
    assert check(row) == []
    row.plan = D(50_001)
    [problem] = check(row)
    assert (problem.rule, problem.column) == ("plan_over_total", "年度计划投资")
    assert problem.message == (
        "年度计划 50,001 万元超过总投资 50,000 万元（年度计划投资不应超过项目总投资）"
    )
    # both from the database: not this file's doing
    assert check(fig(["ytd"], ytd=100, plan=50_001, total=50_000, db_plan=50_001)) == []


@pytest.mark.parametrize(
    ("typed", "ytd", "agrees"),
    [
        ("85%", "8550", True),  # 85.5% against a whole percent: within ±0.5 pp
        ("85%", "8551", False),
        ("85.3%", "8535", True),  # one decimal: ±0.05 pp
        ("85.3%", "8536", False),
        ("0.853", "8535", True),  # written as a fraction: same precision
        ("0.853", "8536", False),
        ("85.3", "8535", True),  # a bare percent under a (%) header
        ("85.30%", "8535", False),  # two decimals typed: ±0.005 pp
        ("85.30%", "8530.5", True),
    ],
)
def test_completion_rate_within_the_precision_typed(typed, ytd, agrees):
    row = fig(["ytd", "rate_plan"], ytd=ytd, plan=10_000, db_plan=10_000,
              rates={"rate_plan": (typed, D(0))})  # fmt: skip
    assert (check(row) == []) is agrees


def test_rate_mismatch_names_both_figures():
    row = fig(["ytd", "rate_plan"], ytd=8536, plan=10_000, db_plan=10_000,
              rates={"rate_plan": ("85.3%", D("0.853"))})  # fmt: skip
    assert check(row) == [
        Problem(
            "warning",
            "完成率“85.3%”与年初至报告期累计 8,536 万元 ÷ 年度计划 10,000 万元 = 85.36% 不符"
            "（按所填位数允许相差 0.05 个百分点）",
            7,
            "完成率",
            None,
            "rate_mismatch",
        )
    ]


def test_share_of_total_uses_since_start_else_ytd():
    rates = {"rate_total": ("40%", D("0.4"))}
    row = fig(["ytd", "since_start", "rate_total"], ytd=10_000, since_start=20_000, total=50_000,
              db_plan=30_000, rates=rates)  # fmt: skip
    assert check(row) == []
    row.since_start = None
    [problem] = check(row)
    assert problem.rule == "rate_mismatch"
    assert problem.column == "占总投资比例"
    assert problem.message == (
        "占总投资比例“40%”与年初至报告期累计 10,000 万元 ÷ 总投资 50,000 万元 = 20% 不符"
        "（按所填位数允许相差 0.5 个百分点）"
    )


def test_no_rate_check_on_a_figure_flagged_as_yuan():
    row = fig(["ytd", "rate_plan"], ytd=1_710_000_000, db_plan=200_000, plan=200_000,
              rates={"rate_plan": ("85.5%", D("0.855"))})  # fmt: skip
    assert rules(check(row)) == ["yuan"]


def test_every_rule_is_described_and_levels_follow_the_design():
    assert set(RULES) == {
        "ytd_below_amount",
        "since_start_below_ytd",
        "yuan",
        "over_total",
        "month_over_plan",
        "plan_over_total",
        "rate_mismatch",
        "ytd_below_last",  # raised by plan.py, which knows last month's figure
    }
    assert all(text.startswith(("强制性审核", "核实性审核")) for text in RULES.values())


def test_numbers_read_as_people_write_them():
    assert number(D("1710000000")) == "1,710,000,000"
    assert number(D("171000.0000")) == "171,000"
    assert number(D("1234.50")) == "1,234.5"
    assert number(D("-0.00")) == "0"

"""Bad uploads: the exact Chinese message, its row (as Excel numbers it) and column, and nothing
written — the whole database dumped before and after must be identical."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.conftest import build
from tests.upload_files import AUGUST, JULY, OFFICE, csv, dump, fixture, load, problems
from xzcore import ingest
from xzcore.ingest import ValidationFailed
from xzcore.period import Month

AUGUST_TITLE = "秀洲区重点项目2020年1-8月进展情况\n单位：万元\n"
HEADER = "项目代码,项目名称,本月完成投资,累计完成投资,项目阶段,实际开工日期\n"
PROJECTS = [
    dict(name="隆基乐叶年产5GW单晶组件项目", code="XZ2020-001", plan=200000, ytd={7: 134315}),
    dict(name="凯腾年产15万吨差别化纤维项目", code="XZ2020-005", plan=42100, ytd={7: 300}),
    dict(name="益创年产7万吨差别化纤维项目", code="XZ2020-003", plan=48900, ytd={7: 9000}),
    dict(name="新塍镇污水管网提升工程", plan=2600, ytd={7: 800}),
]
NEEDS = "缺少必需的列：计划表需要“年度计划投资”，月报需要“本月完成投资”或“累计完成投资”"


@pytest.fixture
def july(con):
    build(con, PROJECTS)
    return con


def refused(con, data: bytes, name: str = "月报.csv", month=None, accept_warnings=False):
    """Prepare and try to commit; the commit must fail and leave every table as it was."""
    before = dump(con)
    preview = ingest.prepare(con, data, name, month)
    with pytest.raises(ValidationFailed) as exc:
        ingest.commit(con, preview, OFFICE, accept_warnings=accept_warnings)
    assert dump(con) == before
    return problems(preview), str(exc.value)


def report(*rows: str, title: str = AUGUST_TITLE, header: str = HEADER) -> bytes:
    return csv(title + header + "".join(r + "\n" for r in rows))


def test_missing_required_columns(july):
    found, message = refused(july, report("XZ2020-001,隆基乐叶年产5GW单晶组件项目,在建",
                                          header="项目代码,项目名称,项目阶段\n"))  # fmt: skip
    assert found == [("error", None, None, NEEDS)]
    assert message == f"文件有 1 处错误，未导入。第一处：{NEEDS}"


def test_unknown_project_offers_the_closest_names(july):
    found, message = refused(
        july,
        report(
            ",凯腾年产15万吨差别化纤维工程,100,,在建,",
            ",隆基乐叶年产5GW单晶组件,100,,在建,",
            ",秀洲区智慧物流园项目,100,,在建,",
            "XZ2099-999,,100,,在建,",
        ),
    )
    assert found == [
        ("error", 4, "项目名称", "项目“凯腾年产15万吨差别化纤维工程”不在计划表中；"
         "相近的项目：凯腾年产15万吨差别化纤维项目、益创年产7万吨差别化纤维项目"),
        ("error", 5, "项目名称", "项目“隆基乐叶年产5GW单晶组件”不在计划表中；"
         "相近的项目：隆基乐叶年产5GW单晶组件项目"),
        ("error", 6, "项目名称", "项目“秀洲区智慧物流园项目”不在计划表中"),
        ("error", 7, "项目代码", "项目“XZ2099-999”不在计划表中"),
    ]  # fmt: skip
    assert message.startswith("文件有 4 处错误，未导入。第一处：第4行「项目名称」：项目“凯腾")


def test_duplicate_rows_for_one_project_by_code_by_name_or_by_folded_name(july):
    found, _ = refused(
        july,
        report(
            "XZ2020-001,,100,134415,在建,",
            ",隆基乐叶年产5GW单晶组件项目,100,134415,在建,",
            ",新塍镇污水管网提升工程,10,,在建,",
            ",新塍镇　污水管网 提升工程,10,,在建,",
        ),
    )
    assert found == [
        ("error", 5, "项目名称", "与第4行是同一个项目，重复"),
        ("error", 7, "项目名称", "与第6行是同一个项目，重复"),
    ]


def test_non_numbers_percentages_and_negative_amounts(july):
    found, _ = refused(
        july,
        report(
            "XZ2020-001,,约500,,在建,",
            "XZ2020-005,,85%,,在建,",
            "XZ2020-003,,-20,,在建,",
            ",新塍镇污水管网提升工程,１０,－５,在建,",
        ),
    )
    assert found == [
        ("error", 4, "本月完成投资", "“约500”不是数字"),
        ("error", 5, "本月完成投资", "“85%”是百分比，此列应填金额"),
        ("error", 6, "本月完成投资", "金额不能为负数（-20）"),
        ("error", 7, "累计完成投资", "金额不能为负数（－５）"),
    ]  # and no “本月完成和累计完成都为空” beside them: those cells were not empty


def test_a_row_with_neither_amount_nor_cumulative_is_not_imported_and_said(july):
    data = report("XZ2020-001,,—,-,在建,", "XZ2020-003,,100,,在建,")
    preview = ingest.prepare(july, data, "月报.csv")
    assert [(p.level, p.row, p.message) for p in preview.problems] == [
        ("info", 4, "本月完成和累计完成都未填，本行不导入，该项目本月视为未报送")
    ]
    assert [r.row for r in preview.rows] == [5]  # the other row goes in; nothing blocks it
    ingest.commit(july, preview, OFFICE)
    assert july.execute(
        "SELECT project_id FROM progress WHERE month = 8 ORDER BY 1"
    ).fetchall() == [(3,)]


def test_this_month_and_cumulative_that_do_not_add_up_with_july(july):
    found, _ = refused(
        july,
        report(
            "XZ2020-001,,35685,170000,在建,",  # 134315 + 35685 = 170000: right
            "XZ2020-005,,100,500,在建,",
            "XZ2020-003,,0.5,9000.49,在建,",  # within a cent of a 万元: right
            ",新塍镇污水管网提升工程,200,1000.02,在建,",
            header="项目代码,项目名称,本月完成投资,1-8月累计完成投资,项目阶段,实际开工日期\n",
        ),
    )
    assert found == [
        ("error", 5, "1-8月累计完成投资", "本月完成 100 + 上月累计 300 = 400，与累计完成 500 不符"),
        ("error", 7, "1-8月累计完成投资",
         "本月完成 200 + 上月累计 800 = 1000，与累计完成 1000.02 不符"),
    ]  # fmt: skip


def test_cumulative_below_july_is_a_warning_refused_until_accepted(july):
    data = report("XZ2020-005,,,250,在建,", ",新塍镇污水管网提升工程,,900,在建,")
    found, message = refused(july, data)
    warning = ("warning", 4, "累计完成投资", "累计完成 250 低于上月累计 300")
    assert found == [warning]
    assert message == (
        "文件有 1 条警告，确认后才能导入。"
        "第一条：第4行「累计完成投资」：累计完成 250 低于上月累计 300"
    )
    preview = ingest.prepare(july, data, "月报.csv")
    before = dump(july)
    for blank in (None, "  "):  # 核实性审核: accepting a warning takes a reason
        with pytest.raises(ingest.ValidationFailed, match=r"^确认警告需填写理由"):
            ingest.commit(july, preview, OFFICE, accept_warnings=True, reason=blank)
    assert dump(july) == before
    batch = ingest.commit(
        july, preview, OFFICE, accept_warnings=True, reason="项目部核减了7月多报的50万元"
    )
    assert july.execute(
        "SELECT project_id, amount, ytd FROM progress WHERE month = 8 ORDER BY 1"
    ).fetchall() == [(2, Decimal(-50), Decimal(250)), (4, Decimal(100), Decimal(900))]
    assert july.execute("SELECT reason FROM batches WHERE id = ?", [batch]).fetchone() == (
        "项目部核减了7月多报的50万元",
    )
    detail = july.execute(
        "SELECT detail->>'reason' FROM audit_log WHERE action = 'commit' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert detail == ("项目部核减了7月多报的50万元",)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("2020-02-30", "“2020-02-30”这一天不存在"),
        ("2019年2月29日", "“2019年2月29日”这一天不存在"),
        ("2020/13/1", "“2020/13/1”不是有效日期"),
        ("2020.0", "“2020.0”不是有效日期"),
        ("明年三月", "“明年三月”不是可识别的日期（例：2020-02-20、2020年2月20日）"),
        ("12345", "“12345”不是可识别的日期（例：2020-02-20、2020年2月20日）"),
    ],
)
def test_impossible_dates(july, cell, message):
    found, _ = refused(july, report(f"XZ2020-001,,35685,170000,在建,{cell}"))
    assert found == [("error", 4, "实际开工日期", message)]


def test_start_date_after_the_reported_month(july):
    found, _ = refused(july, report("XZ2020-001,,35685,170000,在建,2020-09-01"))
    assert found == [("error", 4, "实际开工日期", "实际开工日期 2020-09-01 晚于报告月份 2020-08")]


def test_bad_stage_word(july):
    found, _ = refused(july, report("XZ2020-001,,35685,170000,施工中,"))
    assert found == [
        ("error", 4, "项目阶段", "“施工中”不是有效的项目阶段（可填：签约、开工、在建、竣工、投运）")
    ]


def test_a_month_in_the_future(july):
    today = dt.date.today()
    month = Month.of(today).shift(1)
    found, _ = refused(
        july, report("XZ2020-001,,1,,在建,", title=""), f"{month.year}年{month.month}月月报.csv"
    )
    assert found == [("error", None, None, f"报告月份 {month} 在未来（今天是 {today}）")]


def test_month_sources_that_disagree_ask_for_the_month_and_month_resolves_it(con):
    build(con, JULY)
    data, name = fixture("progress_gbk_title.csv"), "2020年7月重点项目进展月报.csv"
    found, _ = refused(con, data, name)
    assert found == [
        ("error", None, None, "文件中的报告期不一致（标题：2020-8；文件名：2020-7；"
         "表头“1-8月累计完成投资”：8），请指定报告月份"),
    ]  # fmt: skip
    load(con, data, name, Month(2020, 8))
    assert (
        con.execute(
            "SELECT p.name, g.amount, g.ytd, g.stage, g.image_progress, g.problems FROM progress g"
            " JOIN projects p ON p.id = g.project_id WHERE g.month = 8 ORDER BY p.id"
        ).fetchall()
        == AUGUST
    )


@pytest.mark.parametrize(
    ("title", "header", "seen"),
    [
        ("秀洲区重点项目2020年13月进展情况\n", "累计完成投资", "标题：2020-13"),
        ("2020年进展\n", "1-13月累计完成投资", "标题：2020；表头“1-13月累计完成投资”：13"),
    ],
)
def test_a_month_that_does_not_exist_is_asked_about(july, title, header, seen):
    found, _ = refused(july, report("XZ2020-001,1", title=title, header=f"项目代码,{header}\n"))
    assert found == [("error", None, None, f"文件中的报告期无效（{seen}），请指定报告月份")]


def test_no_month_anywhere_asks_for_it(july):
    found, _ = refused(july, report("XZ2020-001,,35685,170000,在建,", title=""))
    assert found == [("error", None, None, "无法从文件确定报告月份，请指定（例如 2020-08）")]


def test_a_project_without_this_years_plan(july):
    found, _ = refused(july, report("XZ2020-001,,1,,在建,", title="2021年1月进展\n"))
    assert found == [
        ("error", 3, "项目名称", "“隆基乐叶年产5GW单晶组件项目”没有2021年计划，请先导入计划表")
    ]


def test_header_but_no_rows(july):
    found, _ = refused(july, report("合计,,0,0,,"))
    assert found == [("error", None, None, "表头下面没有任何项目行")]


def test_row_numbers_count_title_blank_and_total_rows_as_excel_does(july):
    found, _ = refused(
        july,
        report(
            "XZ2020-001,,35685,170000,在建,",
            ",,,,,",
            "小计,,35685,170000,,",
            ",,,,,",
            "XZ2020-005,,abc,,在建,",
            "合计,,,,,",
        ),
    )
    assert found == [("error", 8, "本月完成投资", "“abc”不是数字")]


def test_a_name_that_differs_from_the_register_is_a_warning(july):
    data = report("XZ2020-001,隆基年产5GW组件项目,35685,170000,在建,")
    found, _ = refused(july, data)
    assert found == [
        ("warning", 4, "项目名称", "名称与计划表不一致：计划表为“隆基乐叶年产5GW单晶组件项目”")
    ]
    preview = ingest.prepare(july, data, "月报.csv")
    ingest.commit(july, preview, OFFICE, accept_warnings=True, reason="简称，已核对")
    assert july.execute("SELECT name FROM projects WHERE id = 1").fetchone() == (
        "隆基乐叶年产5GW单晶组件项目",
    )


def test_the_same_file_again_is_unchanged_and_writes_no_batch(july):
    data = report("XZ2020-001,,35685,170000,在建,")
    ingest.commit(july, ingest.prepare(july, data, "月报.csv"), OFFICE)
    before = dump(july)
    again = ingest.prepare(july, data, "月报.csv")
    assert (again.problems, again.counts()) == ([], {"new": 0, "changed": 0, "unchanged": 1})
    assert ingest.commit(july, again, OFFICE) is None  # 不变: no empty batch
    after = dump(july)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }


def test_the_same_file_after_a_later_change_is_a_warning(july):
    data = report("XZ2020-001,,35685,170000,在建,")
    ingest.commit(july, ingest.prepare(july, data, "月报.csv"), OFFICE)
    other = report("XZ2020-001,,35785,170100,在建,")
    ingest.commit(july, ingest.prepare(july, other, "月报更正.csv"), OFFICE)
    found, _ = refused(july, data)
    assert found == [
        ("warning", None, None, "同一文件已于批次#3导入过，此后数据又有变动；再次导入将改回")
    ]


REGISTER_HEADER = "项目代码,项目名称,建设性质,年度计划投资,计划开工日期,计划竣工日期,经度\n"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("XZ2020-009,,新建,100,,,", [("error", 4, "项目名称", "计划表每行都要有项目名称")]),
        (",甲项目,新建,—,,,", [("error", 4, "年度计划投资", "年度计划投资为空")]),
        (",甲项目,新建,一百,,,", [("error", 4, "年度计划投资", "“一百”不是数字")]),
        (",甲项目,改建,100,,,",
         [("error", 4, "建设性质", "“改建”不是有效的建设性质（可填：新建、续建）")]),
        (",甲项目,新建,100,2021-03-01,2020-12-31,",
         [("error", 4, "计划竣工日期", "计划竣工日期 2020-12-31 早于计划开工日期 2021-03-01")]),
        (",甲项目,新建,100,,,30.7", [("error", 4, "经度", "“30.7”不是中国境内的经度")]),
        (",甲项目,新建,100,,2020-02-30,",
         [("error", 4, "计划竣工日期", "“2020-02-30”这一天不存在")]),
        ("XZ2020-001,凯腾年产15万吨差别化纤维项目,新建,100,,,",
         [("error", 4, "项目名称",
           "计划表中已有另一个项目叫“凯腾年产15万吨差别化纤维项目”，"
           "不能把“隆基乐叶年产5GW单晶组件项目”改成这个名称")]),
    ],
)  # fmt: skip
def test_register_row_errors(july, row, expected):
    data = csv("秀洲区2020年重点项目计划表\n单位：万元\n" + REGISTER_HEADER + row + "\n")
    found, _ = refused(july, data, "计划表.csv")
    assert found == expected


def test_a_register_without_a_year_asks_for_it(july):
    data = csv("重点项目计划表\n" + REGISTER_HEADER + ",甲项目,新建,100,,,\n")
    found, _ = refused(july, data, "计划表.csv")
    assert found == [("error", None, None, "无法从文件确定计划年度，请指定（例如 2020-08）")]
    preview = ingest.prepare(july, data, "计划表.csv", Month(2021, 1))
    assert (preview.parsed.year, preview.parsed.month, preview.problems) == (2021, None, [])


def test_register_duplicates_by_name_and_by_code(july):
    data = csv(
        "2020年计划表\n" + REGISTER_HEADER + "A-1,甲项目,新建,100,,,\nA-2,甲 项目,新建,100,,,\n"
        "A-1,乙项目,新建,100,,,\n"
    )
    found, _ = refused(july, data, "计划表.csv")
    assert found == [
        ("error", 4, "项目名称", "与第3行是同一个项目，重复"),
        ("error", 5, "项目代码", "与第3行是同一个项目，重复"),
    ]


def test_register_targets_that_do_not_add_up_to_the_plan_are_a_warning(july):
    header = "项目名称,年度计划投资," + ",".join(f"{m}月" for m in range(1, 13)) + "\n"
    data = csv("2020年计划表\n" + header + "甲项目,1200," + ",".join(["90"] * 12) + "\n")
    found, _ = refused(july, data, "计划表.csv")
    assert found == [("warning", 3, "月度目标", "月度目标合计 1080 与年度计划 1200 不一致")]


def test_correcting_a_month_above_a_later_cumulative_is_a_warning(con):
    build(con, [dict(name="甲项目", code="A1", plan=1200, ytd={7: 500, 8: 600})])
    data = "项目代码,项目名称,年初至报告期累计完成投资（万元）\nA1,甲项目,650\n".encode()
    preview = ingest.prepare(con, data, "2020年7月月报.csv")
    assert [(p.level, p.row, p.message) for p in preview.problems] == [
        ("warning", 2, "本次累计 650 高于已报送的8月累计 600，8月及以后的月报需重新报送")
    ]

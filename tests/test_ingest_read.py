"""Real-looking upload files land as the exact figures they mean: encodings, layouts, units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests import upload_files as files
from tests.conftest import build
from tests.upload_files import AUGUST, JULY, OFFICE, STARTS, dump, fixture, load
from xzcore import ingest
from xzcore.period import Month

D = Decimal


def rows(con, sql: str, params=()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def august(con) -> list[tuple]:
    return rows(
        con,
        "SELECT p.name, g.amount, g.ytd, g.stage, g.image_progress, g.problems FROM progress g"
        " JOIN projects p ON p.id = g.project_id WHERE g.year = 2020 AND g.month = 8"
        " ORDER BY p.id",
    )


def test_gbk_register_with_title_unit_line_totals_and_mixed_units(con):
    data = fixture("register_gbk_title.csv")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really GBK: the strict UTF-8 attempt must fail first
    preview = ingest.prepare(con, data, "register_gbk_title.csv")
    parsed = preview.parsed
    assert (parsed.kind, parsed.year, parsed.month, parsed.header_row) == (
        "register",
        2020,
        None,
        3,
    )
    assert parsed.ignored == ["序号"]
    assert [r.row for r in parsed.records] == [4, 5, 6, 7]  # blank, 合计 and 注 rows left out
    assert preview.problems == [] and preview.counts() == {"new": 4, "changed": 0, "unchanged": 0}
    batch = ingest.commit(con, preview, OFFICE)
    assert rows(
        con,
        "SELECT code, name, tier, category, township, unit, build_type, total_investment,"
        " planned_start, planned_completion FROM projects ORDER BY id",
    ) == [
        ("XZ2020-001", "隆基乐叶年产5GW单晶组件项目", "省重点", "先进制造业", "高照街道",
         "秀洲高新区管委会", "新建", D(500000), dt.date(2020, 2, 20), dt.date(2020, 11, 30)),
        ("XZ2020-002", "益诚年产54万台新能源汽车电机项目", "省重点", "先进制造业", "洪合镇",
         "区经信局", "新建", D(86200), dt.date(2020, 4, 1), dt.date(2022, 4, 12)),
        (None, "嘉鸿年产1200台套智能装备项目", "市重点", "先进制造业", "王店镇", "区经信局",
         "续建", D(175000), dt.date(2017, 9, 15), dt.date(2020, 10, 12)),
        (None, "新塍镇污水管网提升工程", "区重点", "基础设施", "新塍镇", "区住建局", "新建",
         D(52000), dt.date(2020, 5, 1), None),
    ]  # fmt: skip
    assert rows(con, "SELECT project_id, year, plan, batch_id FROM annual_plans ORDER BY 1") == [
        (1, 2020, D(200000), batch),
        (2, 2020, D(53900), batch),
        (3, 2020, D(42700), batch),
        (4, 2020, D(2600), batch),
    ]


def test_bom_register_units_from_headers_and_unit_line_targets_made_cumulative(con):
    data = fixture("register_units_bom.csv")
    assert data.startswith(b"\xef\xbb\xbf")  # Excel's “CSV UTF-8”
    preview = ingest.prepare(con, data, "register_units_bom.csv")
    assert preview.parsed.period_sources == {"表头“2020年计划投资（万元）”": "2020"}
    factors = {c.header: c.factor for c in preview.parsed.columns if c.field != "target"}
    assert factors["总投资(亿元)"] == D(10000) and factors["2020年计划投资（万元）"] == D(1)
    assert {c.factor for c in preview.parsed.columns if c.field == "target"} == {D("0.0001")}
    ingest.commit(con, preview, OFFICE)
    assert rows(
        con,
        "SELECT p.code, p.name, p.total_investment, a.plan FROM projects p"
        " JOIN annual_plans a ON a.project_id = p.id ORDER BY p.id",
    ) == [
        (None, "秀洲区智慧物流园项目", D(36000), D(12000)),
        (None, "王江泾镇美丽乡村提升工程", D(8000), D(6000)),
        (None, "油车港镇生态湿地修复项目", D(12500), D(9000)),
    ]
    targets = rows(
        con,
        "SELECT project_id, list(target_cum ORDER BY month) FROM monthly_targets"
        " WHERE year = 2020 GROUP BY 1 ORDER BY 1",
    )
    assert targets == [
        (1, [D(1000 * m) for m in range(1, 13)]),
        (2, [D(v) for v in (0, 0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 5000, 6000)]),
        (3, [D(v) for v in (500, 1200, 2000, 2800, 3600, 4400, 5200, 6000, 6800, 7600, 8300,
                            9000)]),
    ]  # fmt: skip


@pytest.mark.parametrize("form", ["gbk.csv", "xlsx"])
def test_gbk_report_and_its_xlsx_twin_land_as_the_same_august(con, tmp_path, form):
    build(con, JULY)
    if form == "xlsx":
        data, name = files.progress_xlsx(tmp_path / "8月.xlsx").read_bytes(), "进展.xlsx"
    else:
        data, name = fixture("progress_gbk_title.csv"), "progress_gbk_title.csv"
    preview = ingest.prepare(con, data, name)
    parsed = preview.parsed
    assert (parsed.kind, parsed.year, parsed.month, parsed.header_row) == ("progress", 2020, 8, 3)
    assert parsed.period_sources == {"标题": "2020-8", "表头“1-8月累计完成投资”": "8"}
    assert preview.problems == []
    load(con, data, name)
    assert august(con) == AUGUST
    assert rows(con, "SELECT name, actual_start FROM projects ORDER BY id") == STARTS


def test_bom_report_in_yuan_with_only_this_months_amount_adds_to_july(con):
    build(
        con,
        [
            dict(name="秀洲区智慧物流园项目", plan=12000, ytd={7: 7000}),
            dict(name="王江泾镇美丽乡村提升工程", plan=6000, ytd={7: 2500}),
            dict(name="油车港镇生态湿地修复项目", plan=9000, ytd={7: 5200}),
        ],
    )
    name = "2020年8月重点项目进展月报.csv"
    preview = ingest.prepare(con, fixture("progress_bom_yuan.csv"), name)
    assert preview.parsed.period_sources == {"文件名": "2020-8"}
    load(con, fixture("progress_bom_yuan.csv"), name)
    # 1,000,000 元 = 100 万元; 2,345,678.9 元 = 234.56789 万元, kept to 4 places (1 元 is 0.0001).
    assert august(con) == [
        ("秀洲区智慧物流园项目", D("100"), D("7100"), "在建", None, None),
        ("王江泾镇美丽乡村提升工程", D("234.5679"), D("2734.5679"), "开工", None, None),
        ("油车港镇生态湿地修复项目", D("0"), D("5200"), "签约", None, None),
    ]
    assert rows(con, "SELECT actual_start FROM projects ORDER BY id") == [
        (dt.date(2020, 2, 20),),  # 43881, an Excel serial typed as text
        (dt.date(2020, 2, 20),),  # 20200220
        (dt.date(2019, 6, 1),),  # “/”: nothing reported, the register's date stays
    ]


REGISTER = [
    ("XZ2020-101", "凤桥镇工业园区标准厂房项目", "区重点", "新建", D(24000), D(8000),
     dt.date(2020, 3, 1), dt.date(2021, 6, 30), 120.705, 30.694),
    ("XZ2020-102", "嘉兴北站枢纽配套道路工程", "市重点", "续建", D(123500), D(30500),
     dt.date(2020, 1, 1), dt.date(2021, 12, 31), None, None),
    (None, "秀洲区人民医院改扩建工程", "省重点", "续建", D(60000), D(15000),
     dt.date(2019, 10, 8), dt.date(2022, 6, 1), 120.731, 30.757),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "sheet"),
    [(files.register_xls, "2020年计划"), (files.register_second_sheet_xlsx, "计划表")],
)
def test_xls_and_a_table_on_the_second_sheet(con, tmp_path, make, sheet):
    data = make(tmp_path / "计划表").read_bytes()
    preview = ingest.prepare(con, data, "计划表.xls")
    assert (preview.parsed.sheet, preview.parsed.header_row, preview.problems) == (sheet, 2, [])
    ingest.commit(con, preview, OFFICE)
    assert (
        rows(
            con,
            "SELECT p.code, p.name, p.tier, p.build_type, p.total_investment, a.plan,"
            " p.planned_start, p.planned_completion, p.lon, p.lat FROM projects p"
            " JOIN annual_plans a ON a.project_id = p.id ORDER BY p.id",
        )
        == REGISTER
    )


def test_sheet_named_by_the_user(con, tmp_path):
    data = files.register_second_sheet_xlsx(tmp_path / "计划表.xlsx").read_bytes()
    assert ingest.prepare(con, data, "计划表.xlsx", sheet="计划表").parsed.sheet == "计划表"
    with pytest.raises(ingest.UnreadableFile) as missing:
        ingest.prepare(con, data, "计划表.xlsx", sheet="Sheet1")
    assert str(missing.value) == "找不到工作表“Sheet1”，文件中有：填报说明、计划表"
    with pytest.raises(ingest.UnreadableFile) as notes:
        ingest.prepare(con, data, "计划表.xlsx", sheet="填报说明")
    assert str(notes.value) == NO_TABLE


NO_TABLE = "没有找到表格：前30行中没有同时含“项目名称”或“项目代码”的表头行"


BINARY = "不是表格文件：内容是二进制数据（请上传 CSV、xlsx 或 xls）"
ENCODING = "无法识别文件编码：既不是 UTF-8 也不是 GBK/GB18030，请在 Excel 中另存为 CSV 或 xlsx"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (files.FIXTURES / "empty.csv", "文件是空的"),
        (b" \r\n\r\n\t\r\n", "文件是空的"),
        (files.binary_named_csv, BINARY),
        ("UTF-16 text".encode("utf-16"), NO_TABLE),  # read as text: it has no header
        ("序号\t金额\r\n".encode("utf-16-le"), BINARY),  # no byte order mark: cannot be told
        ("序号,金额\n1,2\n".encode(), NO_TABLE),
        (b"\x81\x30\xff\xff,a\n", ENCODING),
        (b"PK\x03\x04" + b"broken" * 50, "Excel 文件已损坏或无法读取（"),
    ],
    ids=[
        "empty",
        "blank-lines",
        "png-named-csv",
        "utf16",
        "utf16-no-bom",
        "no-header",
        "bad-bytes",
        "zip",
    ],
)
def test_not_a_table_raises_unreadable_and_writes_nothing(con, tmp_path, content, message):
    build(con, JULY)
    before = dump(con)
    if isinstance(content, bytes):
        data = content
    elif callable(content):
        data = content(tmp_path / "月报.csv").read_bytes()
    else:
        data = content.read_bytes()
    with pytest.raises(ingest.UnreadableFile) as exc:
        ingest.prepare(con, data, "月报.csv")
    assert str(exc.value).startswith(message)
    assert dump(con) == before


def test_an_xlsx_renamed_to_csv_is_read_as_a_workbook(con, tmp_path):
    data = files.register_second_sheet_xlsx(tmp_path / "计划表.xlsx").read_bytes()
    preview = ingest.prepare(con, data, "计划表.csv")
    assert (preview.parsed.sheet, len(preview.rows), preview.problems) == ("计划表", 3, [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-02-20", dt.date(2020, 2, 20)),
        ("2020/2/20", dt.date(2020, 2, 20)),
        ("2020年2月20日", dt.date(2020, 2, 20)),
        ("２０２０年２月２０日", dt.date(2020, 2, 20)),
        ("2020.2.20", dt.date(2020, 2, 20)),
        ("2020.2", dt.date(2020, 2, 1)),
        ("2020年2月", dt.date(2020, 2, 1)),
        ("20200220", dt.date(2020, 2, 20)),
        ("43881", dt.date(2020, 2, 20)),
        ("2020-02-20 00:00:00", dt.date(2020, 2, 20)),
        ("2020/2/20 8:30", dt.date(2020, 2, 20)),
        ("—", None),
        ("/", None),
    ],
)
def test_every_date_form(con, text, expected):
    data = f"项目名称,年度计划投资,计划开工日期\n甲项目,100,{text}\n".encode()
    load(con, data, "2020年计划表.csv")
    assert rows(con, "SELECT planned_start FROM projects") == [(expected,)]


@pytest.mark.parametrize(
    ("header", "cell", "expected"),
    [
        ("年度计划投资", '"1,234.5"', D("1234.5")),
        ("年度计划投资", "１２３４．５", D("1234.5")),
        ("年度计划投资", "１，２３４．５", D("1234.5")),
        ("年度计划投资", "　1 234.5 ", D("1234.5")),
        ("年度计划投资", "0.5亿元", D("5000")),  # a unit in the cell wins over the header's
        ("年度计划投资", "12345000元", D("1234.5")),
        ("年度计划投资（亿元）", "0.25", D("2500")),
        ("年度计划投资(元)", '"12,345,000"', D("1234.5")),
        ("年度计划投资/亿元", "1.2", D("12000")),
        ("年度计划投资（万元）", "1234.56789", D("1234.5679")),
    ],
)
def test_money_cells_as_offices_type_them(con, header, cell, expected):
    load(con, f"项目名称,{header}\n甲项目,{cell}\n".encode("gbk"), "2020年计划表.csv")
    assert rows(con, "SELECT plan FROM annual_plans") == [(expected,)]


@pytest.mark.parametrize(
    ("title", "name", "month"),
    [
        ("秀洲区重点项目2020年1-8月进展情况", "月报.csv", 8),
        ("秀洲区重点项目2020年1月-8月进展情况", "月报.csv", 8),
        ("秀洲区重点项目2020年1月至8月进展情况", "月报.csv", 8),
        ("秀洲区重点项目2020年1—8月进展情况", "月报.csv", 8),
        ("2020年1月重点项目进展", "月报.csv", 1),
        ("2020年11月重点项目进展", "月报.csv", 11),
        ("重点项目进展", "2020-08月报.csv", 8),
        ("重点项目进展", "月报_2020_8.csv", 8),
    ],
)
def test_report_month_from_title_or_file_name(con, title, name, month):
    data = f"{title}\n项目名称,累计完成投资\n甲项目,1\n".encode()
    assert ingest.prepare(con, data, name).parsed.period == Month(2020, month)

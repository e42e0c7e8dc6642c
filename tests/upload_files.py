"""Upload files for the ingest tests, and a dump of the database to prove what did not change.

The CSV samples are text, committed under tests/fixtures/upload/. Workbooks are binary, so they
are never committed: the functions here build them from Python data into a test's tmp_path.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import xlwt

from xzcore import ingest
from xzcore.auth import User

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "upload"
# Who uploads and undoes in the tests: the district office, and an admin (undoes anyone's).
OFFICE = User("office1", "测试员", "office")
ADMIN = User("admin1", "管理员", "admin")
# Bookkeeping an upload or an undo always adds to; the figures are everything else.
HISTORY = (
    "audit_log",
    "batches",
    "batch_touches",
    "projects_before",
    "annual_plans_before",
    "monthly_targets_before",
    "progress_before",
)


# The register of progress_gbk_title.csv (and of its .xlsx twin) with July as it stood.
JULY = [
    dict(name="隆基乐叶年产5GW单晶组件项目", code="XZ2020-001", plan=200000, ytd={7: 134315}),
    dict(name="益诚年产54万台新能源汽车电机项目", code="XZ2020-002", plan=53900,
         ytd={7: "33176.64"}),
    dict(name="嘉鸿年产1200台套智能装备项目", plan=42700, ytd={7: 32404}),
    dict(name="新塍镇污水管网提升工程", plan=2600, ytd={7: 800}),
]  # fmt: skip
# What August must hold afterwards: amount, ytd, stage, 形象进度, 存在问题 — and the start dates.
AUGUST = [
    ("隆基乐叶年产5GW单晶组件项目", D("35685"), D("170000"), "在建", "设备安装调试", None),
    ("益诚年产54万台新能源汽车电机项目", D("14582.21"), D("47758.85"), "在建", "主体结构施工",
     None),
    ("嘉鸿年产1200台套智能装备项目", D("4830"), D("37234"), "在建", "试生产", None),
    ("新塍镇污水管网提升工程", D("1200"), D("2000"), "开工", "管网铺设", "用地指标未落实"),
]  # fmt: skip
STARTS = [
    ("隆基乐叶年产5GW单晶组件项目", dt.date(2020, 2, 20)),
    ("益诚年产54万台新能源汽车电机项目", dt.date(2020, 5, 9)),
    ("嘉鸿年产1200台套智能装备项目", dt.date(2017, 9, 15)),
    ("新塍镇污水管网提升工程", dt.date(2020, 5, 1)),
]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def dump(con, *, figures_only: bool = False) -> dict[str, str]:
    """Every table (and its columns and types) as text, rows sorted: equal dumps, equal tables.

    figures_only leaves out the upload history and the time lights were computed, which an
    upload or an undo always changes, so that an undo can be compared with what was there.
    """
    # every schema: a published month's frozen copy (pub_YYYY_MM_vN) is data too
    tables = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables"
        " WHERE table_catalog = current_database()"
        " AND table_schema NOT IN ('information_schema', 'pg_catalog')"  # PostgreSQL's own
        " ORDER BY ALL"
    ).fetchall()
    out = {}
    for schema, table in tables:
        if figures_only and table in HISTORY:
            continue
        columns = con.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, table],
        ).fetchall()
        drop = " EXCLUDE (computed_at)" if figures_only and table == "light_snapshots" else ""
        rows = con.execute(f'SELECT *{drop} FROM "{schema}"."{table}" ORDER BY ALL').fetchall()
        key = table if schema == "main" else f"{schema}.{table}"
        out[key] = "\n".join([repr(columns), *map(repr, rows)])
    return out


def problems(preview) -> list[tuple]:
    """A preview's problems as (level, row, column, message), in the order it found them."""
    return [(p.level, p.row, p.column, p.message) for p in preview.problems]


def load(con, data: bytes, name: str, month=None, user: User = OFFICE, **kwargs) -> int:
    """Prepare and commit a file that must be clean; returns the batch id."""
    preview = ingest.prepare(con, data, name, month)
    assert problems(preview) == [], problems(preview)
    return ingest.commit(con, preview, user, **kwargs)


def csv(text: str, encoding: str = "utf-8") -> bytes:
    """An inline sample as an office would save it (CRLF line ends)."""
    return text.replace("\n", "\r\n").encode(encoding)


# ---- workbooks, built at test time -----------------------------------------------------------

PROGRESS_TITLE = "秀洲区重点项目2020年1-8月进展情况"
PROGRESS_HEADER = ["项目代码", "项目名称", "本月完成投资", "1-8月累计完成投资", "项目阶段",
                   "实际开工日期", "形象进度", "存在问题"]  # fmt: skip
# The figures of progress_gbk_title.csv as Excel holds them: numbers as numbers, dates as date,
# datetime and serial-number cells, a date typed as text, — for an empty cell.
PROGRESS_ROWS = [
    ["XZ2020-001", "隆基乐叶年产5GW单晶组件项目", 35685, 170000, "在建", dt.date(2020, 2, 20),
     "设备安装调试", "—"],
    ["XZ2020-002", "益诚年产54万台新能源汽车电机项目", 14582.21, None, "在建",
     dt.datetime(2020, 5, 9, 8, 30), "主体结构施工", None],
    [None, "嘉鸿年产1200台套智能装备项目", "-", 37234, "在建", 42993, "试生产", "/"],
    [None, "新塍镇 污水管网提升工程", "１，２００", None, "开工", "2020年5月1日", "管网铺设",
     "用地指标未落实"],
]  # fmt: skip


def progress_xlsx(path: Path) -> Path:
    """The August report as .xlsx: merged title and unit cells, a 合计 row with a formula."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "8月进展"
    sheet.append([PROGRESS_TITLE])
    sheet.merge_cells("A1:H1")
    sheet.append(["单位：万元"])
    sheet.merge_cells("A2:H2")
    sheet.append(PROGRESS_HEADER)
    for row in PROGRESS_ROWS:
        sheet.append(row)
    sheet.append(["合计", None, "=SUM(C4:C7)", "=SUM(D4:D7)"])
    book.save(path)
    return path


REGISTER_HEADER = ["项目代码", "项目名称", "项目级别", "建设性质", "总投资（亿元）",
                   "2020年计划投资（万元）", "计划开工日期", "计划竣工日期", "经度",
                   "纬度"]  # fmt: skip
# Three projects of the register; 计划开工日期 as a date cell, an Excel serial number and text.
REGISTER_ROWS = [
    ["XZ2020-101", "凤桥镇工业园区标准厂房项目", "区重点", "新建", 2.4, 8000,
     dt.date(2020, 3, 1), dt.date(2021, 6, 30), 120.705, 30.694],
    ["XZ2020-102", "嘉兴北站枢纽配套道路工程", "市重点", "续建", 12.35, 30500,
     43831, "2021年12月31日", None, None],
    [None, "秀洲区人民医院改扩建工程", "省重点", "续建", 6, 15000,
     "2019/10/8", "2022.6", 120.731, 30.757],
]  # fmt: skip


def register_xls(path: Path) -> Path:
    """The register as a legacy .xls (xlwt): a title merged across the table, date cells."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("2020年计划")
    sheet.write_merge(0, 0, 0, len(REGISTER_HEADER) - 1, "秀洲区2020年重点建设项目计划表")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for j, text in enumerate(REGISTER_HEADER):
        sheet.write(1, j, text)
    for i, row in enumerate(REGISTER_ROWS, start=2):
        for j, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write(i, j, value, date_style)
            elif value is not None:
                sheet.write(i, j, value)
    book.save(str(path))
    return path


def register_second_sheet_xlsx(path: Path) -> Path:
    """The register on the workbook's second sheet, behind a sheet of filling instructions."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "填报说明"
    notes.append(["填报说明"])
    notes.append(["1. 金额单位：万元；总投资单位：亿元"])
    notes.append(["2. 项目名称须与立项文件一致", "联系人：区发改局"])
    table = book.create_sheet("计划表")
    table.append(["秀洲区2020年重点建设项目计划表"])
    table.merge_cells("A1:J1")
    table.append(REGISTER_HEADER)
    for row in REGISTER_ROWS:
        table.append(row)
    book.save(path)
    return path


def binary_named_csv(path: Path) -> Path:
    """A PNG image that someone renamed to .csv."""
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
        + bytes(range(256)) * 4
    )
    return path

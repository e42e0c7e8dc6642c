"""The upload page under AppTest: preview, problems, the month question, commit, undo.

AppTest simulates uploads (FileUploader.set_value); each test works on its own copy of a demo
app_db, opened read-write by the page exactly as under `streamlit run`.
"""

from __future__ import annotations

import io

import duckdb
import pytest
from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from tests import layouts
from tests.browser import ROOT
from tests.logins import log_in
from tests.markdown import shown
from tests.reports import september
from xzcore import ingest
from xzcore.store import db

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def open_page(path: str = "pages/upload.py", username: str = "office") -> AppTest:
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run(), username)
    at.switch_page(path).run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, data: bytes, mime: str = CSV) -> AppTest:
    at.file_uploader[0].set_value((name, data, mime)).run()
    assert not at.exception
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def table(at: AppTest, first_column: str):
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_column)


def preview_rows(at: AppTest):
    """The row-by-row preview (the problem list also starts with 行号)."""
    return next(d.value for d in at.dataframe if "处理" in d.value.columns)


def undo_choice(at: AppTest):
    return next(s for s in at.selectbox if s.label == "选择要撤销的批次")


def undo_sure(at: AppTest):
    return next(c for c in at.checkbox if c.label.startswith("确认撤销"))


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def batch_count(path) -> int:
    return db.connect(path).execute("SELECT count(*) FROM batches").fetchone()[0]


def test_the_page_lists_the_history_and_offers_both_templates(app_db):
    at = open_page()
    assert at.title[0].value == "上传数据"
    history = table(at, "批次")
    assert list(history["批次"]) == list(range(9, 0, -1))  # newest first
    assert set(history["状态"]) == {"有效"}
    assert list(history.columns) == [
        "批次",
        "类型",
        "文件名",
        "年月",
        "行数",
        "上传人",
        "时间",
        "状态",
        "确认理由",
        "按元换算的列",
    ]
    labels = [b.label for b in at.download_button]
    assert labels == ["项目计划表模板", "月度进展月报模板（2020-09）"]


def test_a_consistent_report_commits_and_the_overview_shows_its_month(app_db):
    report, expected = september(app_db)
    at = upload(open_page(), "重点项目月报.csv", report)
    text = shown(" ".join(m.value for m in at.markdown))
    assert "月度进展月报" in text and "2020年1-9月" in text and "依据标题 2020-9" in text
    assert metrics(at) == {"新增": "3", "变更": "0", "不变": "0", "错误": "0", "警告": "0"}
    rows = table(at, "行号")
    assert list(rows["项目名称"]) == [name for _, name, _ in expected]
    assert list(rows["处理"]) == ["新增"] * 3
    button(at, "确认导入").click().run()
    assert not at.exception
    assert "已导入：批次#10" in shown(at.success[0].value)
    assert not at.file_uploader[0].value  # a fresh, empty uploader for the next file
    newest = table(at, "批次").iloc[0]
    assert (newest["批次"], newest["年月"], newest["行数"], newest["上传人"]) == (
        10,
        "2020-09",
        3,
        "office",
    )
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert at.selectbox[0].options[-1].startswith("2020年1-9月")  # marked 收集中


def test_undo_puts_the_month_back_and_a_refused_undo_says_why(app_db):
    report, _ = september(app_db)
    at = upload(open_page(username="admin"), "月报.csv", report)  # admin: anyone's batch
    button(at, "确认导入").click().run()
    assert undo_choice(at).value == 10  # the newest standing batch is offered first
    assert button(at, "撤销该批次").disabled  # not before it is confirmed
    undo_sure(at).check().run()
    button(at, "撤销该批次").click().run()
    assert "已撤销批次#10" in shown(at.success[0].value)
    assert table(at, "批次").iloc[0]["状态"] == "已撤销"
    undo_choice(at).set_value(1).run()  # the register: every report builds on it
    undo_sure(at).check().run()
    button(at, "撤销该批次").click().run()
    assert "之后的批次" in at.error[0].value
    at.switch_page("pages/overview.py").run()
    assert at.selectbox[0].options[-1] == "2020年1-8月"


def test_errors_are_listed_with_row_and_column_and_block_the_commit(app_db):
    before = batch_count(app_db)
    bad = (
        "秀洲区重点项目2020年1-9月进展情况\r\n项目代码,项目名称,本月完成投资（万元）,"
        "年初至报告期累计完成投资（万元）\r\nXZ2020-001,隆基乐叶年产5GW单晶组件项目,10,20\r\n"
        ",不存在的项目,5,5\r\nXZ2020-003,益创年产7万吨差别化纤维项目,abc,\r\n"
    ).encode("gbk")
    at = upload(open_page(), "月报.csv", bad)
    problems = table(at, "行号")
    assert set(problems.columns) == {"行号", "列", "级别", "说明"}
    assert set(problems["级别"]) == {"错误"}
    assert problems["行号"].tolist()[:3] == [3, 4, 5]  # in file order
    assert problems["列"].tolist()[:3] == [
        "年初至报告期累计完成投资（万元）",
        "项目名称",
        "本月完成投资（万元）",
    ]
    assert preview_rows(at)["处理"].tolist() == ["不导入"] * 3  # the bad rows are shown, in place
    assert button(at, "确认导入").disabled
    assert f"有 {len(problems)} 处错误" in " ".join(c.value for c in at.caption)
    assert "下载错误清单（Excel）" in [b.label for b in at.download_button]
    assert batch_count(app_db) == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("月报.csv", b"\x00\x01\x02binary", "不是表格文件"),
        ("月报.xlsx", b"PK\x03\x04 not really a workbook", "Excel 文件已损坏"),
        ("月报.csv", "随便写的一段话\n没有表头".encode(), "没有找到表格"),
    ],
)
def test_an_unreadable_file_gets_a_chinese_message_and_changes_nothing(app_db, name, data, message):
    before = batch_count(app_db)
    at = upload(open_page(), name, data)
    assert message in shown(at.error[0].value)
    assert not [b for b in at.button if b.label == "确认导入"]
    assert table(at, "批次").shape[0] == 9  # the history is still there
    assert batch_count(app_db) == before


def test_a_report_without_a_month_asks_for_one(app_db):
    report, _ = september(app_db)
    undated = report.decode("gbk").replace("2020年1-9月", "").encode("gbk")
    at = upload(open_page(), "进展月报.csv", undated)
    month = next(s for s in at.selectbox if s.label == "报告月份")
    assert month.value is None
    assert "无法从文件确定报告月份" in table(at, "行号")["说明"].iloc[0]
    month.select("2020-09").run()
    assert metrics(at)["新增"] == "3" and metrics(at)["错误"] == "0"
    assert "由你选择" in " ".join(m.value for m in at.markdown)


def test_warnings_need_a_reason_before_the_commit_and_the_history_keeps_it(app_db):
    lower = (
        "秀洲区重点项目2020年1-9月进展情况\r\n项目代码,项目名称,累计完成投资（万元）\r\n"
        "XZ2020-001,隆基乐叶年产5GW单晶组件项目,1000\r\n"
    ).encode("gbk")
    at = upload(open_page(), "月报.csv", lower)
    assert metrics(at)["警告"] == "1"
    assert table(at, "行号")["级别"].tolist() == ["警告"]
    assert not at.checkbox  # a tick is not a reason: 核实性审核 asks for one in words
    assert button(at, "确认导入").disabled
    assert "请填写确认警告的理由" in " ".join(c.value for c in at.caption)
    reason = next(t for t in at.text_input if t.label == "确认理由（核实性审核）")
    reason.input("   ").run()  # blanks are no reason
    assert button(at, "确认导入").disabled
    reason.input("已电话核实：8月数据报错，9月更正").run()
    assert not button(at, "确认导入").disabled
    button(at, "确认导入").click().run()
    assert "已导入：批次#10" in shown(at.success[0].value)
    with db.connect(app_db) as con:
        stored = con.execute("SELECT reason FROM batches WHERE id = 10").fetchone()[0]
    assert stored == "已电话核实：8月数据报错，9月更正"
    assert table(at, "批次").iloc[0]["确认理由"] == "已电话核实：8月数据报错，9月更正"


def test_a_combined_table_shows_both_parts_and_commits_them_in_one_batch(app_db):
    name, data = layouts.combined_gbk()
    at = upload(open_page(), name, data)
    text = shown(" ".join(m.value for m in at.markdown))
    assert "进展情况表（计划+月报）" in text and "2020年1-9月" in text
    assert "在同一个批次中一起导入" in at.info[0].value
    register, progress = at.tabs
    assert register.label.startswith("计划表部分") and progress.label.startswith("月报部分")
    assert {m.label: m.value for m in register.metric} == {"新增": "0", "变更": "1", "不变": "4"}
    assert {m.label: m.value for m in progress.metric} == {"新增": "5", "变更": "0", "不变": "0"}
    register_rows = register.dataframe[0].value
    progress_rows = progress.dataframe[0].value
    assert register_rows["处理"].tolist().count("变更") == 1
    assert progress_rows["累计完成（万元）"].tolist()[0] == "41600"
    assert len(progress_rows) == 5  # the 合计 row is no project
    # 完成率 is checked against the figures: row 7 says 85%, 5605 ÷ 5900 is 95%
    problems = table(at, "行号")
    assert problems["行号"].tolist() == [7] and problems["列"].tolist() == ["完成率"]
    next(t for t in at.text_input if t.label.startswith("确认理由")).input("完成率为手填").run()
    button(at, "确认导入").click().run()
    assert not at.exception
    assert "计划表与月报两部分同一批次" in shown(at.success[0].value)
    newest = table(at, "批次").iloc[0]
    assert (newest["批次"], newest["类型"], newest["年月"]) == (
        10,
        "进展情况表（计划+月报）",
        "2020-09",
    )
    at.switch_page("pages/overview.py").run()
    assert at.selectbox[0].options[-1].startswith("2020年1-9月")  # marked 收集中


def test_yuan_columns_are_converted_by_one_click_and_back(app_db):
    name, data = layouts.yuan_unlabelled_csv()
    at = upload(open_page(), name, data)
    header = "年初至报告期累计完成投资"
    assert header in at.warning[0].value and "疑似按“元”填报" in at.warning[0].value
    assert metrics(at)["警告"] == "2"
    assert preview_rows(at)["累计完成（万元）"].tolist()[0] == "1710000000"
    button(at, "按元换算（÷10000）").click().run()
    assert not at.exception
    assert "已按“元”换算为万元" in shown(at.info[0].value) and header in shown(at.info[0].value)
    assert metrics(at)["警告"] == "0"
    assert preview_rows(at)["累计完成（万元）"].tolist() == ["171000", "49000"]
    assert (
        "元 → ÷10000"
        in next(d.value for d in at.dataframe if "金额单位" in d.value)["金额单位"].tolist()
    )
    button(at, "不换算，恢复原值").click().run()
    assert metrics(at)["警告"] == "2"
    button(at, "按元换算（÷10000）").click().run()
    button(at, "确认导入").click().run()
    assert "已导入：批次#10" in shown(at.success[0].value)
    with db.connect(app_db) as con:
        stored = con.execute("SELECT converted FROM batches WHERE id = 10").fetchone()[0]
        ytd = con.execute(
            "SELECT g.ytd FROM progress g JOIN projects p ON p.id = g.project_id"
            " WHERE p.code = 'XZ2020-001' AND g.year = 2020 AND g.month = 9"
        ).fetchone()[0]
    assert stored == [header] and ytd == 171000
    assert table(at, "批次").iloc[0]["按元换算的列"] == header


def test_a_workbook_read_sheet_by_sheet_lists_each_sheet_and_the_skipped_one(app_db):
    name, data = layouts.sheet_per_tier_xlsx()
    at = upload(open_page(), name, data, XLSX)
    text = shown(" ".join(m.value for m in at.markdown))
    for tier in ("省重点", "市重点", "区重点"):
        assert f"工作表“{tier}”：表头在第 2 行，2 行数据" in text
    assert "未读取工作表“说明”：没有表头" in text
    rows = preview_rows(at)
    assert (
        "行号" in rows.columns
        and rows["工作表"].tolist() == ["省重点"] * 2 + ["市重点"] * 2 + ["区重点"] * 2
    )
    read = next(d.value for d in at.dataframe if "文件表头" in d.value.columns)
    assert read.columns.tolist() == ["工作表", "文件表头", "对应字段", "金额单位"]
    assert read[read["文件表头"] == "1-9月累计完成投资（万元）"]["工作表"].tolist() == [
        "省重点",
        "市重点",
        "区重点",
    ]
    assert metrics(at)["新增"] == "6"
    # choosing a sheet narrows the upload to it
    next(s for s in at.selectbox if s.label.startswith("工作表")).select("市重点").run()
    assert metrics(at)["新增"] == "2"
    assert "工作表“市重点”，第 2 行" in shown(" ".join(m.value for m in at.markdown))


def test_a_two_row_header_shows_joined_names_and_both_rows(app_db):
    name, data = layouts.two_row_header_xlsx()
    at = upload(open_page(), name, data, XLSX)
    assert "**表头**：工作表“9月”，第 3–4 行" in shown(" ".join(m.value for m in at.markdown))
    read = next(d.value for d in at.dataframe if "文件表头" in d.value.columns)
    assert "1-9月完成投资/金额（万元）" in read["文件表头"].tolist()
    assert "1-9月完成投资/占年度计划(%)" in read["文件表头"].tolist()


def test_problems_name_their_sheet(app_db):
    name, data = layouts.one_bad_sheet_xlsx()
    at = upload(open_page(), name, data, XLSX)
    problems = next(d.value for d in at.dataframe if "说明" in d.value.columns)
    assert problems.columns.tolist()[:2] == ["工作表", "行号"]
    bad = problems[problems["级别"] == "错误"].iloc[0]
    assert (bad["工作表"], bad["行号"], bad["列"]) == ("市重点", 3, "本月完成投资（万元）")
    assert button(at, "确认导入").disabled


def test_a_workbook_with_several_sheets_offers_a_sheet_selector(app_db):
    report, _ = september(app_db)
    book = Workbook()
    book.active.title = "填表说明"
    book.active["A1"] = "请在“9月”工作表填写"
    sheet = book.create_sheet("9月")
    for row in report.decode("gbk").splitlines():
        sheet.append(row.split(","))
    out = io.BytesIO()
    book.save(out)
    at = upload(open_page(), "月报.xlsx", out.getvalue(), XLSX)
    chooser = next(s for s in at.selectbox if s.label.startswith("工作表"))
    assert chooser.options == ["全部工作表（自动识别）", "填表说明", "9月"]
    assert "工作表“9月”" in shown(" ".join(m.value for m in at.markdown))
    assert metrics(at)["新增"] == "3"
    chooser.select("填表说明").run()
    assert "没有找到表格" in at.error[0].value


def test_a_failed_write_is_one_chinese_line_and_the_page_carries_on(app_db, monkeypatch):
    def refuse(*args, **kwargs):
        raise duckdb.TransactionException("Conflict on tuple deletion!\nmore detail")

    monkeypatch.setattr(ingest, "commit", refuse)
    report, _ = september(app_db)
    at = upload(open_page(), "月报.csv", report)
    button(at, "确认导入").click().run()
    assert not at.exception
    assert shown(at.error[0].value) == (
        "写入数据库失败（Conflict on tuple deletion!）。本次操作没有写入任何数据。"
    )
    assert table(at, "批次").shape[0] == 9


def test_the_uploader_is_the_logged_in_account(app_db):
    at = open_page()
    assert "上传人：区重点办（示例）（区重点办）" in [c.value for c in at.caption][1]
    assert not at.text_input  # no name to type: the account is the uploader


def test_a_unit_staff_member_sees_other_units_rows_refused_before_committing(app_db):
    report, _ = september(app_db)  # three projects, none of 王江泾镇
    at = upload(open_page(username="staff"), "月报.csv", report)
    assert "可修改：王江泾镇人民政府的项目" in " ".join(c.value for c in at.caption)
    problems = table(at, "行号")
    assert button(at, "确认导入").disabled
    refused = [p for p in problems["说明"] if "不属于您负责的单位" in p]
    assert refused, list(problems["说明"])
    assert batch_count(app_db) == 9


def test_anonymous_and_viewer_get_no_upload_page(app_db):
    anonymous = AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run()
    anonymous.switch_page("pages/upload.py").run()  # a link to it: the login form instead
    assert not anonymous.file_uploader
    assert anonymous.info[0].value == "打开「上传数据」需要先登录。"
    assert [t.label for t in anonymous.text_input] == ["用户名", "密码"]
    leader = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run(), "leader")
    leader.switch_page("pages/upload.py").run()
    assert not leader.file_uploader
    assert "没有打开「上传数据」的权限" in leader.error[0].value
    # The page run as the main script (as on a fresh server) goes through the router, which
    # with no URL here opens the default page: never the upload (tests/test_browser_access.py
    # follows the real direct link).
    direct = AppTest.from_file(ROOT / "pages" / "upload.py", default_timeout=60).run()
    assert not direct.exception and not direct.file_uploader

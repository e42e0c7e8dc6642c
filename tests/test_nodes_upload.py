"""A node file on the shared 上传数据 page and through `python -m xzcore import` (issue 18):
recognised by its headers (项目, 节点, 计划日期, 实际日期 …) and handed to the nodes' importer —
one batch, undone from the page's history; a bad file changes nothing (every table, every
schema, dumped before and after)."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.logins import log_in
from tests.upload_files import dump
from xzcore import ingest
from xzcore.cli import main as cli
from xzcore.store import db

LONGI, WANG = (
    "隆基乐叶年产5GW单晶组件项目",
    "嘉朗年产2900万米高档纺织面料项目",
)  # the latter: 王江泾镇
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# a title row above the header, 项目 (not 项目名称), GBK: as an office's file comes
GOOD = (
    "2020年重点项目节点计划表\n项目,节点,计划日期,实际日期,备注\n"
    f"{LONGI},设备安装,2020-11-20,,设备已到场\n{LONGI},主体结顶,2020/7/31,2020年7月26日,\n"
)
BAD = (
    "项目,节点,计划日期,实际日期,备注\n"
    f"{LONGI},设备安装,2020-02-30,,\n没有的项目,设备安装,2020-11-20,,\n{LONGI},开工入库,,上周,\n"
)


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["2020年重点项目节点表"])
    book.active.append(["项目代码", "关键节点", "计划完成时间", "实际完成时间", "说明"])
    book.active.append(["XZ2020-001", "设备安装", dt.datetime(2020, 11, 25), None, "@调试"])
    book.active.append(["XZ2020-001", "主体结顶", "2020年7月31日", dt.datetime(2020, 7, 26), None])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _node(path, name: str) -> tuple:
    with db.connect(path) as con:
        return con.execute(
            "SELECT planned, actual, note, batch_id FROM project_nodes WHERE project_id = 1"
            " AND name = ?",
            [name],
        ).fetchone()


def _page(username: str = "office") -> AppTest:
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run(), username)
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    return at


def _upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    at.file_uploader[0].set_value((name, data, mime)).run()
    assert not at.exception
    return at


def _said(elements) -> str:
    return " ".join(e.value.replace("\\", "") for e in elements)


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_the_shared_reader_tells_a_node_file_from_the_other_kinds():
    with pytest.raises(ingest.NodeFile, match="这是节点表") as found:
        ingest.parse(GOOD.encode("gbk"), "节点.csv")
    assert found.value.sheets[0].rows  # the file as read, handed on: not read twice
    with pytest.raises(ingest.NodeFile):
        ingest.parse(_xlsx(), "节点.xlsx")
    # 项目 and 节点 alone are no node file (no date): the usual message
    with pytest.raises(ingest.UnreadableFile):
        ingest.parse("项目,节点\n甲,供地\n".encode("gbk"), "节点.csv")


def test_a_gbk_node_file_on_the_upload_page_imports_as_a_batch_and_undoes(app_db):
    before = _node(app_db, "设备安装")
    at = _upload(_page(), "节点计划.csv", GOOD.encode("gbk"))
    assert "按表头识别为**节点表**" in _said(at.info)
    assert "2 个节点，检查无误" in _said(at.success)
    assert "表头在第 2 行" in _said(at.caption)
    _button(at, "确认导入").click().run()
    assert not at.exception
    assert "已导入 节点计划.csv：2 个节点，批次 1" in _said(at.success)
    assert _node(app_db, "设备安装")[:3] == (dt.date(2020, 11, 20), None, "设备已到场")
    assert _node(app_db, "主体结顶")[:2] == (dt.date(2020, 7, 31), dt.date(2020, 7, 26))
    assert "这个文件刚刚已经导入" in _said(at.info)  # still chosen: not offered twice
    assert "批次 1：节点计划.csv，2 个节点" in _said(at.markdown)  # the page's history
    _button(at, "撤销").click().run()
    assert not at.exception
    assert "已撤销节点批次 1：恢复 2 个节点" in _said(at.success)
    assert _node(app_db, "设备安装") == before


def test_an_xlsx_node_file_on_the_upload_page(app_db):
    at = _upload(_page(), "节点.xlsx", _xlsx(), XLSX)
    assert "按表头识别为**节点表**" in _said(at.info)
    _button(at, "确认导入").click().run()
    assert not at.exception
    assert _node(app_db, "设备安装")[:3] == (dt.date(2020, 11, 25), None, "@调试")


def test_a_bad_node_file_on_the_upload_page_changes_nothing(app_db):
    at = _page()
    with db.connect(app_db) as con:
        before = dump(con)
    at = _upload(at, "节点.csv", BAD.encode("gbk"))
    assert "有 3 处错误，未导入" in _said(at.error)
    errors = next(d.value for d in at.dataframe if list(d.value.columns) == ["行", "列", "说明"])
    assert errors[["行", "列"]].values.tolist() == [[2, "计划日期"], [3, "项目"], [4, "实际日期"]]
    assert not [b for b in at.button if b.label == "确认导入"]
    with db.connect(app_db) as con:
        assert dump(con) == before


def test_a_units_staff_imports_only_its_own_projects_here_too(app_db):
    at = _page("staff")
    with db.connect(app_db) as con:
        before = dump(con)
    at = _upload(at, "节点.csv", GOOD.encode("gbk"))
    assert "有 2 处错误" in _said(at.error)
    assert not [b for b in at.button if b.label == "确认导入"]
    with db.connect(app_db) as con:
        assert dump(con) == before
    own = f"项目,节点,计划日期\n{WANG},主体完工,2020-10-31\n"
    at = _upload(at, "本单位节点.csv", own.encode("gbk"))
    _button(at, "确认导入").click().run()
    assert "已导入 本单位节点.csv：1 个节点，批次 1" in _said(at.success)


# --- python -m xzcore import ------------------------------------------------------------------


def test_the_import_command_takes_a_node_file(app_db, tmp_path, capsys):
    source = tmp_path / "节点计划.csv"
    source.write_bytes(GOOD.encode("gbk"))
    assert cli.main(["--db", str(app_db), "import", str(source), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "类型：节点表　工作表：" in out and "表头在第2行　2个节点" in out
    assert _node(app_db, "设备安装")[3] is None  # a dry run writes nothing
    assert cli.main(["--db", str(app_db), "import", str(source)]) == 0
    assert "已导入节点表，批次#1（撤销：nodes undo 1）" in capsys.readouterr().out
    assert _node(app_db, "设备安装")[:3] == (dt.date(2020, 11, 20), None, "设备已到场")
    book = tmp_path / "节点.xlsx"
    book.write_bytes(_xlsx())
    assert cli.main(["--db", str(app_db), "import", str(book), "--json"]) == 0
    [report] = json.loads(capsys.readouterr().out)
    assert (report["kind"], report["rows"], report["batch"]) == ("nodes", 2, 2)
    assert _node(app_db, "设备安装")[:3] == (dt.date(2020, 11, 25), None, "@调试")


def test_a_bad_node_file_through_the_command_changes_nothing(app_db, tmp_path, capsys):
    source = tmp_path / "节点.csv"
    source.write_bytes(BAD.encode("gbk"))
    with db.connect(app_db) as con:
        before = dump(con)
    assert cli.main(["--db", str(app_db), "import", str(source)]) == 1
    out = capsys.readouterr().out
    assert "错误：第2行「计划日期」" in out and "错误：第3行「项目」" in out
    assert "错误：第4行「实际日期」" in out
    with db.connect(app_db) as con:
        assert dump(con) == before

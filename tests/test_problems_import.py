"""Importing a 问题台账 (the office's existing spreadsheet) and the `problems` command line:
usual headers under a title, GBK, xlsx; errors named by row and column with nothing written;
one batch and its undo; list and export, overdue first."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest

from tests.conftest import build
from xzcore import auth
from xzcore.auth import PermissionDenied
from xzcore.cli import main as cli
from xzcore.errors import BadArgument
from xzcore.problems import importer, ledger, store
from xzcore.store import audit

OFFICE = auth.User("office", "区重点办", "office")
STAFF = auth.User("staff", "填报员", "staff", ("王江泾镇人民政府",))
LEDGER = """秀洲区重点项目问题台账（2020年9月）
序号,项目名称,问题类型,存在问题,需协调事项,牵头单位,配合单位,分管区领导,提出时间,完成时限,办理状态
1,甲项目,政策处理,征迁未完成,协调拆迁,,区住建局,常务副区长,2020年9月1日,2020/9/30,
2,,资金,专项债未到位,,区财政局,,,2020-09-02,2020-10-31,在办
3,甲项目,,用地指标未落实,,,,,2020-08-01,2020-08-20,已销号
,,,合计,,,,,,,
"""


@pytest.fixture
def pid(con):
    return build(con, [{"name": "甲项目", "plan": 1, "unit": "王江泾镇人民政府"}])["甲项目"]


def _count(con) -> int:
    return con.execute("SELECT count(*) FROM problems").fetchone()[0]


def test_a_gbk_ledger_under_a_title_with_its_usual_headers(con, pid):
    prepared = importer.prepare(con, LEDGER.encode("gbk"), "问题台账.csv")
    assert prepared.errors == [] and prepared.header_row == 2
    assert (
        prepared.columns["description"] == "存在问题"
        and prepared.columns["lead_unit"] == "牵头单位"
    )
    at = dt.datetime(2020, 9, 5, 9)
    batch = importer.commit(con, OFFICE, prepared, at=at)
    table = ledger.ledger(con, dt.date(2020, 9, 5)).set_index("description")
    first = table.loc["征迁未完成"]
    assert (first["category"], first["lead_unit"], first["state"]) == (
        "征迁",
        "王江泾镇人民政府",
        "已交办",
    )
    assert first["project_id"] == pid and first["support_units"] == ["区住建局"]
    assert first["due_on"].date() == dt.date(2020, 9, 30) and first["source"] == "现场办公"
    assert table.loc["专项债未到位", "state"] == "办理中"
    closed = table.loc["用地指标未落实"]
    assert (closed["category"], closed["state"], closed["closure"]) == (
        "用地",
        "已办结",
        "实质性办结",
    )
    assert closed["closed_at"] == dt.datetime(2020, 9, 5)  # no 办结日期 column: the import's day
    assert ledger.history(con, int(first["id"]))["text"].tolist() == [
        f"导入自问题台账（批次{batch}）"
    ]
    assert audit.query(con)["action"].tolist() == ["problem_import"]  # one entry, the batch


def test_an_xlsx_ledger(con, pid):
    book = openpyxl.Workbook()
    book.active.append(["问题描述", "主办单位", "办结时限", "状态"])
    book.active.append(["缺电", "区供电公司", dt.datetime(2020, 10, 1), "已交办"])
    data = io.BytesIO()
    book.save(data)
    prepared = importer.prepare(con, data.getvalue(), "台账.xlsx", today=dt.date(2020, 9, 1))
    assert prepared.errors == []
    late = importer.prepare(con, data.getvalue(), "台账.xlsx", today=dt.date(2020, 10, 2))
    assert late.errors == [(2, "办结时限", "办结时限 2020-10-01 早于提出日期 2020-10-02"
                                           "（未填提出日期，按导入当天计）")]  # fmt: skip
    importer.commit(con, OFFICE, prepared)
    row = ledger.ledger(con, dt.date(2020, 9, 1)).iloc[0]
    assert (row["category"], row["due_on"].date()) == ("要素保障（水电气路）", dt.date(2020, 10, 1))


def test_errors_name_the_row_and_column_and_nothing_is_written(con, pid):
    bad = ("问题描述,项目名称,问题类型,办结时限,状态\n"
           ",甲项目,用地,2020-09-30,\n"
           "缺钱,乙项目,天气,2020-13-01,\n"
           "审批慢,,其他,,办理中\n")  # fmt: skip
    prepared = importer.prepare(con, bad.encode(), "bad.csv", today=dt.date(2020, 9, 1))
    assert prepared.errors == [
        (2, "问题描述", "问题描述不能为空"),
        (3, "项目名称", "没有找到项目“乙项目”"),
        (3, "问题类型", "问题类型“天气”应为用地、资金、审批手续、征迁、要素保障（水电气路）、"
                        "施工环境、其他之一"),
        (3, "办结时限", "“2020-13-01”不是有效日期"),
        (4, "办结时限", "状态为“办理中”的问题须有主办单位和办结时限"),
    ]  # fmt: skip
    with pytest.raises(BadArgument, match="5 处错误，未导入"):
        importer.commit(con, OFFICE, prepared)
    assert _count(con) == 0 and audit.query(con).empty


def test_a_file_without_a_ledgers_header_is_refused(con):
    with pytest.raises(BadArgument, match="没有找到问题台账的表头"):
        importer.prepare(con, "项目名称,年度计划\n甲,1\n".encode(), "plan.csv")


def test_undo_removes_the_batch_until_someone_works_on_it(con, pid):
    prepared = importer.prepare(con, LEDGER.encode(), "台账.csv")
    with pytest.raises(PermissionDenied, match="无权导入问题台账"):
        importer.commit(con, STAFF, prepared)
    first = importer.commit(con, OFFICE, prepared)
    assert importer.undo(con, OFFICE, first) == 3 and _count(con) == 0
    with pytest.raises(BadArgument, match="没有可撤销"):
        importer.undo(con, OFFICE, first)
    second = importer.commit(con, OFFICE, prepared)
    worked = int(ledger.ledger(con, dt.date(2020, 9, 5), state="已交办")["id"].iloc[0])
    store.note(con, STAFF, worked, "已约谈")
    with pytest.raises(BadArgument, match=f"问题 #{worked} 之后已有办理记录"):
        importer.undo(con, OFFICE, second)
    assert _count(con) == 3
    assert [b["id"] for b in importer.batches(con)] == [second, first]


def _cli(db_path, *args, capsys) -> tuple[int, str, str]:
    code = cli.main(["--db", str(db_path), "problems", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def path(tmp_path):
    from xzcore.store import db

    path = tmp_path / "p.duckdb"
    with db.connect(path, create=True) as con:
        build(con, [{"name": "甲项目", "plan": 1, "unit": "王江泾镇人民政府"}])
    return path


def test_the_command_line_imports_lists_exports_and_undoes(path, tmp_path, capsys):
    source = tmp_path / "台账.csv"
    source.write_bytes(LEDGER.encode("gbk"))
    assert _cli(path, "import", str(source), "--dry-run", capsys=capsys)[1].startswith(
        "台账.csv：3 个问题，检查无误（未写入）")  # fmt: skip
    code, out, _ = _cli(path, "import", str(source), capsys=capsys)
    assert code == 0 and "批次 1" in out
    code, out, _ = _cli(path, "list", capsys=capsys)
    lines = out.splitlines()
    assert lines[0].startswith("问题 3 个，已办结 1 个，办结率 33.3%，逾期未办结 2 个")
    assert lines[1].startswith("#1 [红] 已交办 王江泾镇人民政府 时限2020-09-30 征迁未完成（逾期")
    assert lines[-1].startswith("#3 已办结")  # closed last
    code, out, _ = _cli(path, "list", "--overdue", "--unit", "区财政局", "--json", capsys=capsys)
    found = json.loads(out)
    assert [(r["id"], r["colour"], r["lead_unit"]) for r in found] == [(2, "红", "区财政局")]
    code, out, _ = _cli(path, "list", "--leader", "常务副区长", "--json", capsys=capsys)
    assert [r["id"] for r in json.loads(out)] == [1, 3]  # named, or the project's 联系区领导
    target = tmp_path / "out.csv"
    _cli(path, "export", "--overdue", "-o", str(target), capsys=capsys)
    text = target.read_bytes().decode("utf-8-sig").splitlines()
    assert text[0].startswith("编号,督办,督办原因,状态") and len(text) == 3
    _cli(path, "export", "--overdue", "--json", "-o", str(target), capsys=capsys)
    assert [r["id"] for r in json.loads(target.read_text(encoding="utf-8"))] == [1, 2]
    assert _cli(path, "undo", "1", capsys=capsys)[1] == "已撤销问题台账批次 1：删除 3 个问题\n"


def test_the_command_line_reports_errors_by_row_and_exits_1(path, tmp_path, capsys):
    source = tmp_path / "bad.csv"
    source.write_text("问题描述,问题类型\n缺钱,天气\n", encoding="utf-8")
    code, _, err = _cli(path, "import", str(source), capsys=capsys)
    assert code == 1 and err.splitlines()[0].startswith("第2行「问题类型」：问题类型“天气”")


def test_the_export_neutralises_formulas_and_keeps_the_text(path, tmp_path, capsys):
    from tests.hostile import HYPERLINK, SCRIPT

    source = tmp_path / "台账.csv"
    source.write_text(f'问题描述\n"{HYPERLINK.replace(chr(34), chr(34) * 2)}{SCRIPT}"\n',
                      encoding="utf-8")  # fmt: skip
    assert _cli(path, "import", str(source), capsys=capsys)[0] == 0
    target = tmp_path / "out.csv"
    _cli(path, "export", "-o", str(target), capsys=capsys)
    text = target.read_bytes().decode("utf-8-sig")
    assert "'" + HYPERLINK.replace('"', '""') + SCRIPT in text  # a text cell, not a formula
    listed = json.loads(_cli(path, "list", "--json", capsys=capsys)[1])
    assert listed[0]["description"] == HYPERLINK + SCRIPT


# --- recognised by its headers on the shared upload page and by `xzcore import` --------------


def _ledger_xlsx() -> bytes:
    """LEDGER as an office's workbook: the title in row 1, the header in row 2, dates as dates."""
    rows = [r.split(",") for r in LEDGER.splitlines()]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "问题台账"
    sheet.append([rows[0][0]])
    sheet.append(rows[1])
    for row in rows[2:]:
        cells = [dt.datetime(2020, 8, 1) if c == "2020-08-01" else c for c in row]
        sheet.append([int(c) if isinstance(c, str) and c.isdigit() else c or None for c in cells])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


MONTHLY = ("项目名称,责任单位,本月完成投资,累计完成投资,形象进度,存在问题\n"
           "甲项目,王江泾镇人民政府,10,100,主体施工,征迁未完成\n")  # fmt: skip


def _dump(con) -> dict:
    """Every table of the database, every row: what a refused file must leave as it was."""
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        " AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()]  # fmt: skip
    return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY ALL').fetchall() for n in names}


@pytest.mark.parametrize(
    ("name", "data"),
    [("问题台账.csv", LEDGER.encode("gbk")), ("问题台账.xlsx", _ledger_xlsx())],
    ids=["gbk-csv", "xlsx"],
)
def test_the_upload_reader_recognises_a_ledger_and_hands_it_over_as_read(con, pid, name, data):
    from xzcore import ingest

    with pytest.raises(ingest.ProblemLedger, match="这是问题台账") as caught:
        ingest.prepare(con, data, name, user=OFFICE)
    prepared = importer.prepare(con, data, name, sheets=caught.value.sheets)
    assert prepared.errors == [] and len(prepared.rows) == 3 and prepared.header_row == 2
    assert [r["fields"]["description"] for r in prepared.rows] == [
        "征迁未完成", "专项债未到位", "用地指标未落实"]  # fmt: skip


def test_a_report_with_a_problems_column_stays_a_report(con, pid):
    from xzcore import ingest

    preview = ingest.prepare(con, MONTHLY.encode("gbk"), "9月月报.csv", user=OFFICE)
    assert preview.parsed.kind == "progress"
    # neither a report nor a ledger: the reader's own words, as before
    bare = "项目名称,责任单位,存在问题\n甲项目,王江泾镇人民政府,缺电\n".encode()
    assert "缺少必需的列" in ingest.prepare(con, bare, "x.csv").problems[0].message


def _import(db_path, *args, capsys) -> tuple[int, str]:
    code = cli.main(["--db", str(db_path), "import", *args])
    return code, capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "data"),
    [("问题台账.csv", LEDGER.encode("gbk")), ("问题台账.xlsx", _ledger_xlsx())],
    ids=["gbk-csv", "xlsx"],
)
def test_xzcore_import_takes_a_ledger_as_a_batch_of_problems(path, tmp_path, capsys, name, data):
    from xzcore.store import db

    source = tmp_path / name
    source.write_bytes(data)
    code, out = _import(path, str(source), "--dry-run", capsys=capsys)
    assert code == 0 and "类型：问题台账　工作表：" in out and "3个问题" in out
    assert "牵头单位→主办单位" in out
    code, out = _import(path, str(source), "--json", capsys=capsys)
    (report,) = json.loads(out)
    assert code == 0 and report["kind"] == "problems" and report["committed"]
    assert report["batch"] == 1 and report["rows"] == 3
    code, out = _import(path, str(source), capsys=capsys)  # the same file again
    assert code == 0 and "已在问题台账批次 1 导入，未重复导入" in out
    with db.connect(path, read_only=True) as con:
        assert _count(con) == 3 and [b["id"] for b in importer.batches(con)] == [1]
    assert _cli(path, "undo", "1", capsys=capsys)[1] == "已撤销问题台账批次 1：删除 3 个问题\n"


BAD = ("秀洲区重点项目问题台账\n"
       "项目名称,问题类型,存在问题,牵头单位,提出时间,完成时限,办理状态\n"
       "甲项目,天气,征迁未完成,,2020-09-01,2020/9/30,\n"
       "乙项目,资金,缺钱,区财政局,2020-09-01,2020-13-01,在办\n")  # fmt: skip


def test_a_bad_ledger_changes_nothing_from_the_command_line(path, tmp_path, capsys):
    from xzcore.store import db

    source = tmp_path / "问题台账.csv"
    source.write_bytes(BAD.encode("gbk"))
    with db.connect(path, read_only=True) as con:
        before = _dump(con)
    code, out = _import(path, str(source), capsys=capsys)
    assert code == 1
    assert out.splitlines()[1:] == [
        "类型：问题台账　工作表：问题台账.csv　表头在第2行　2个问题",
        "  列：项目名称→项目名称、问题类型→问题类型、存在问题→问题描述、牵头单位→主办单位、"
        "提出时间→提出日期、完成时限→办结时限、办理状态→状态",
        "错误：第3行「问题类型」：问题类型“天气”应为用地、资金、审批手续、征迁、"
        "要素保障（水电气路）、施工环境、其他之一",
        "错误：第4行「项目名称」：没有找到项目“乙项目”",
        "错误：第4行「完成时限」：“2020-13-01”不是有效日期",
        "错误：第4行「完成时限」：状态为“办理中”的问题须有主办单位和办结时限",
    ]
    with db.connect(path, read_only=True) as con:
        assert _dump(con) == before


def test_the_ledgers_version_moves_with_an_import_and_its_undo(con, pid):
    """The pages cache on it: an undo must not bring back the version before the import, or
    the list of imports would be the one from before it."""
    before = ledger.version(con)
    batch = importer.commit(con, OFFICE, importer.prepare(con, LEDGER.encode(), "台账.csv"))
    imported = ledger.version(con)
    importer.undo(con, OFFICE, batch)
    assert len({before, imported, ledger.version(con)}) == 3

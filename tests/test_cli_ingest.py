"""python -m xzcore import / batches / undo: exit codes, reports, nothing written on failure."""

import json
import shutil

import duckdb
import pytest

from tests import layouts
from tests.test_cli import cli
from xzcore import auth
from xzcore.store import audit

SEPTEMBER = [
    "秀洲区重点项目2020年1-9月进展情况",
    "单位：万元",
    "项目代码,项目名称,本月完成投资（万元）,年初至报告期累计完成投资（万元）",
]


@pytest.fixture
def demo(demo_template, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    return path


def _august(path, n=3):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "SELECT p.code, p.name, g.ytd FROM projects p JOIN progress g ON g.project_id = p.id"
            " AND g.year = 2020 AND g.month = 8 ORDER BY p.id LIMIT ?",
            [n],
        ).fetchall()


def _september(tmp_path, demo, mistake=False):
    lines = list(SEPTEMBER)
    for i, (code, name, ytd) in enumerate(_august(demo)):
        ytd_sep = ytd + 100 + (1 if mistake and i == 1 else 0)
        lines.append(f"{code},{name},100,{ytd_sep}")
    lines.append("合计,,300,")
    path = tmp_path / "九月月报.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    return path


def _dump(path):
    """Every table but the audit log, which records even a refused upload."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE table_name <> 'audit_log' ORDER BY 1"
            ).fetchall()
        ]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}


def test_import_commits_a_gbk_report_and_undo_takes_it_back(demo, tmp_path):
    before = _dump(demo)
    result = cli("import", str(_september(tmp_path, demo)), "--user", "区发改局", "--json", db=demo)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)[0]
    assert report["kind"] == "progress" and (report["year"], report["month"]) == (2020, 9)
    assert report["counts"] == {"new": 3, "changed": 0, "unchanged": 0}
    assert report["committed"] and report["errors"] == [] and report["warnings"] == []
    batch = report["batch"]
    summary = json.loads(cli("summary", "--month", "2020-09", "--json", db=demo).stdout)
    assert summary["month"] == "2020-09"
    history = json.loads(cli("batches", "--json", db=demo).stdout)
    # The command line acts as auth.SYSTEM; --user names the person in the audit log.
    assert history[0]["id"] == batch and history[0]["user_name"] == auth.SYSTEM.username
    assert cli("undo", str(batch), "--user", "管理员", db=demo).returncode == 0
    after = _dump(demo)
    with duckdb.connect(str(demo), read_only=True) as con:
        log = audit.query(con, actor=auth.SYSTEM.username, action=["upload", "commit", "undo"])
    assert log[["action", "actor", "actor_name"]].values.tolist() == [
        ["undo", auth.SYSTEM.username, "管理员"],
        ["commit", auth.SYSTEM.username, "区发改局"],
        ["upload", auth.SYSTEM.username, "区发改局"],
    ]
    assert after["progress"] == before["progress"]
    assert after["projects"] == before["projects"]
    refused = cli("summary", "--month", "2020-09", db=demo)
    assert refused.returncode == 1 and "2020-09 没有数据" in refused.stderr


def test_dry_run_writes_nothing(demo, tmp_path):
    before = _dump(demo)
    result = cli("import", str(_september(tmp_path, demo)), "--dry-run", db=demo)
    assert result.returncode == 0
    assert "新增 3 行" in result.stdout and "已导入" not in result.stdout
    assert _dump(demo) == before


def test_validation_error_exits_1_names_the_row_and_writes_nothing(demo, tmp_path):
    before = _dump(demo)
    result = cli("import", str(_september(tmp_path, demo, mistake=True)), db=demo)
    assert result.returncode == 1
    column = "年初至报告期累计完成投资（万元）"  # the header as the file wrote it
    assert f"错误：第5行「{column}」：本月完成 100 + 上月累计" in result.stdout
    assert _dump(demo) == before


def _lower(tmp_path, demo):
    """September's cumulative below August's for one project: a warning (核实性审核)."""
    (code, name, ytd), *_ = _august(demo, 1)
    lines = [SEPTEMBER[0], "项目代码,项目名称,累计完成投资（万元）", f"{code},{name},{ytd - 100}"]
    path = tmp_path / "九月月报（累计下降）.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    return path


def test_warnings_need_accept_and_a_reason(demo, tmp_path):
    path = _lower(tmp_path, demo)
    before = _dump(demo)
    plain = cli("import", str(path), db=demo)
    assert plain.returncode == 1 and "--accept-warnings" in plain.stdout
    bare = cli("import", str(path), "--accept-warnings", db=demo)
    assert bare.returncode == 1
    assert (
        bare.stdout.splitlines()[-1]
        == '确认警告需填写理由：加 --reason "理由"（记入批次和审计日志）'
    )
    blank = cli("import", str(path), "--accept-warnings", "--reason", "  ", db=demo)
    assert blank.returncode == 1 and "确认警告需填写理由" in blank.stdout
    assert _dump(demo) == before
    done = cli("import", str(path), "--accept-warnings", "--reason", "8月多报，已核实", db=demo)
    assert done.returncode == 0, done.stdout
    assert "已导入，批次#10（确认理由：8月多报，已核实）" in done.stdout
    with duckdb.connect(str(demo), read_only=True) as con:
        assert con.execute("SELECT reason FROM batches WHERE id = 10").fetchone() == (
            "8月多报，已核实",
        )
        log = audit.query(con, action="commit")
    assert "8月多报，已核实" in log["detail"].iloc[0]
    listed = cli("batches", db=demo)
    assert "确认理由：8月多报，已核实" in listed.stdout.splitlines()[0]


def test_an_identical_file_again_makes_no_batch(demo, tmp_path):
    path = _september(tmp_path, demo)
    assert cli("import", str(path), db=demo).returncode == 0
    before = _dump(demo)
    again = cli("import", str(path), "--accept-warnings", "--reason", "重报", db=demo)
    assert again.returncode == 0
    assert "没有变化：与已导入的数据相同，未新建批次" in again.stdout
    assert "已导入，批次" not in again.stdout
    assert _dump(demo) == before


def _yuan(tmp_path, demo):
    """September's cumulative typed in 元 under a header that names no unit."""
    lines = ["2020年9月重点项目进展月报", "项目代码,项目名称,年初至报告期累计完成投资"]
    lines += [f"{code},{name},{(ytd + 100) * 10000:f}" for code, name, ytd in _august(demo, 2)]
    path = tmp_path / "九月月报（元）.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    return path


def test_convert_yuan_reads_the_flagged_column_as_yuan(demo, tmp_path):
    path = _yuan(tmp_path, demo)
    header = "年初至报告期累计完成投资"
    before = _dump(demo)
    flagged = cli("import", str(path), "--json", db=demo)
    assert flagged.returncode == 1
    report = json.loads(flagged.stdout)[0]
    assert report["yuan_columns"] == [header] and report["converted"] == []
    assert {w["rule"] for w in report["warnings"]} == {"yuan"}
    text = cli("import", str(path), "--dry-run", db=demo).stdout
    assert f"疑似按“元”填报的列：{header}（核实后可加 --convert-yuan）" in text
    assert _dump(demo) == before
    done = cli("import", str(path), "--convert-yuan", "--json", db=demo)
    assert done.returncode == 0, done.stdout
    report = json.loads(done.stdout)[0]
    assert report["converted"] == [header] and report["warnings"] == []
    assert report["committed"]
    expected = [ytd + 100 for _, _, ytd in _august(demo, 2)]
    with duckdb.connect(str(demo), read_only=True) as con:
        stored = con.execute(
            "SELECT ytd FROM progress WHERE year = 2020 AND month = 9 ORDER BY project_id"
        ).fetchall()
        converted = con.execute("SELECT converted FROM batches ORDER BY id DESC").fetchone()[0]
    assert [r[0] for r in stored] == expected and converted == [header]


def _own_header(tmp_path, demo):
    lines = [*SEPTEMBER[:2], SEPTEMBER[2] + ",本月工程进展说明"]
    for code, name, ytd in _august(demo, 2):
        lines.append(f"{code},{name},100,{ytd + 100},桩基施工")
    path = tmp_path / "九月月报（自定表头）.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    return path


@pytest.mark.parametrize("field", ["形象进度", "image_progress"])
def test_map_names_a_column_by_its_header(demo, tmp_path, field):
    path = _own_header(tmp_path, demo)
    plain = json.loads(cli("import", str(path), "--dry-run", "--json", db=demo).stdout)[0]
    assert plain["ignored"] == ["本月工程进展说明"]
    mapped = cli("import", str(path), "--map", f"本月工程进展说明={field}", "--json", db=demo)
    assert mapped.returncode == 0, mapped.stdout
    report = json.loads(mapped.stdout)[0]
    assert report["columns"]["本月工程进展说明"] == "image_progress" and report["ignored"] == []
    assert report["parts"][0]["columns"]["本月工程进展说明"] == "image_progress"
    with duckdb.connect(str(demo), read_only=True) as con:
        stored = con.execute(
            "SELECT image_progress FROM progress WHERE year = 2020 AND month = 9"
        ).fetchall()
    assert stored == [("桩基施工",), ("桩基施工",)]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("本月工程进展说明=完成情况", "没有字段“完成情况”"),
        ("本月工程进展说明", "应写成“表头=字段”"),
        ("没有这一列=形象进度", "--map 的表头“没有这一列”不在文件中"),
    ],
)
def test_a_map_that_names_nothing_exits_2_and_writes_nothing(demo, tmp_path, given, message):
    path = _own_header(tmp_path, demo)
    before = _dump(demo)
    result = cli("import", str(path), "--map", given, db=demo)
    assert result.returncode == 2 and message in result.stdout
    assert _dump(demo) == before


def test_a_workbook_report_names_its_sheets_and_the_combined_parts(demo, tmp_path):
    name, data = layouts.sheet_per_tier_xlsx()
    path = tmp_path / name
    path.write_bytes(data)
    report = json.loads(cli("import", str(path), "--dry-run", "--json", db=demo).stdout)[0]
    assert [(p["sheet"], p["header_row"], p["rows"]) for p in report["parts"]] == [
        ("省重点", 2, 2),
        ("市重点", 2, 2),
        ("区重点", 2, 2),
    ]
    assert [s["sheet"] for s in report["skipped"]] == ["说明"]
    text = cli("import", str(path), "--dry-run", db=demo).stdout
    assert "工作表：市重点　表头在第2行　2行数据" in text and "未读取工作表：说明（" in text
    name, data = layouts.combined_gbk()
    path = tmp_path / name
    path.write_bytes(data)
    result = cli("import", str(path), "--dry-run", "--json", db=demo)
    report = json.loads(result.stdout)[0]
    assert report["kind"] == "combined"
    assert report["part_counts"] == {
        "register": {"new": 0, "changed": 1, "unchanged": 4},
        "progress": {"new": 5, "changed": 0, "unchanged": 0},
    }
    text = cli("import", str(path), "--dry-run", db=demo).stdout
    assert "类型：进展情况表（计划+月报）" in text
    assert "计划表部分（登记信息、年度计划）与月报部分（本月进展）在同一批次导入" in text
    assert "月报部分：新增 5 行，变更 0 行，不变 0 行" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "文件是空的"), (bytes(range(256)) * 4, "不是表格文件")],
)
def test_unusable_input_exits_2(demo, tmp_path, content, message):
    path = tmp_path / "月报.csv"
    path.write_bytes(content)
    before = _dump(demo)
    result = cli("import", str(path), db=demo)
    assert result.returncode == 2
    assert message in result.stdout
    assert _dump(demo) == before


def test_undo_of_unknown_batch_is_one_chinese_line(demo):
    result = cli("undo", "999", db=demo)
    assert result.returncode == 1 and result.stderr.strip() == "错误：没有批次#999"

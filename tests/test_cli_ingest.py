"""python -m xzcore import / batches / undo: exit codes, reports, nothing written on failure."""

import json
import shutil

import duckdb
import pytest

from tests.test_cli import cli
from xzcore import audit, auth

SEPTEMBER = [
    "秀洲区重点项目2020年1-9月进展情况",
    "单位：万元",
    "项目代码,项目名称,本月完成投资（万元）,年初至报告期累计完成投资（万元）",
]


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "demo.duckdb"
    assert cli("--db", str(path), "demo").returncode == 0
    return path


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


def test_warnings_need_accept(demo, tmp_path):
    path = _september(tmp_path, demo)
    assert cli("import", str(path), db=demo).returncode == 0
    again = cli("import", str(path), db=demo)
    assert again.returncode == 1 and "--accept-warnings" in again.stdout
    assert cli("import", str(path), "--accept-warnings", db=demo).returncode == 0


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

"""python -m xzcore on the demo database: figures, JSON shape, and errors without tracebacks."""

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest

from tests.cycle_files import ADMIN, BANNER, staff_september
from xzcore.store import db, settings

ROOT = Path(__file__).resolve().parent.parent


def cli_process(*args, db=None) -> subprocess.CompletedProcess:
    """python -m xzcore … as a user runs it: a process of its own, in the repository."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    env.pop("XZ_DB", None)
    if db:
        env["XZ_DB"] = str(db)
    return subprocess.run(
        [sys.executable, "-m", "xzcore", *args], capture_output=True, text=True, cwd=ROOT, env=env
    )


def cli(*args, db=None, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The same command run in this process (xzcore.cli.main.main, as xzcore/__main__.py calls
    it): its exit code, standard output and error, with $XZ_DB set to db (or unset) and the
    repository as the working directory meanwhile. A process costs a second of imports a call;
    cli_process runs the real thing where the process is the point."""
    from xzcore.cli.main import main

    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8") for _ in range(2))
    saved = os.environ.pop("XZ_DB", None)
    if db:
        os.environ["XZ_DB"] = str(db)
    try:
        with (
            contextlib.chdir(ROOT),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            mock.patch("sys.stdin", io.StringIO(stdin or "")),
        ):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exit_:  # argparse's usage errors
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.environ.pop("XZ_DB", None)
        if saved is not None:
            os.environ["XZ_DB"] = saved
    text = []
    for stream in (out, err):
        stream.flush()
        text.append(stream.buffer.getvalue().decode("utf-8"))
    return subprocess.CompletedProcess(["xzcore", *args], code, *text)


@pytest.fixture(scope="module")
def demo_db(demo_template, tmp_path_factory):
    """The session's demo database (conftest: xzcore.demo.build, which the command runs; the
    command itself is run in test_demo_twice_gives_the_same_database)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    shutil.copy(demo_template, path)
    return path


def test_summary_json_reproduces_the_published_figures(demo_db):
    result = cli("summary", "--month", "2020-08", "--json", db=demo_db)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["month"] == "2020-08" and data["schedule_mode"] == "calendar"
    assert data["projects"] == 113
    assert data["started"] == 113
    assert data["completion_rate"] == pytest.approx(0.80, abs=0.005)
    assert data["schedule_progress"] == pytest.approx(8 / 12)
    assert data["lag_pp"] == pytest.approx(100 * (8 / 12 - data["completion_rate"]))
    assert sum(data["lights"].values()) == 113
    assert data["groups"] == []


def test_summary_by_township_has_nine_groups_that_add_up(demo_db):
    data = json.loads(
        cli("summary", "--month", "2020-08", "--by", "township", "--json", db=demo_db).stdout
    )
    assert len(data["groups"]) == 9
    assert set(data["groups"][0]) == {
        "key",
        "projects",
        "plan_wan",
        "completed_wan",
        "completion_rate",
        "lag_pp",
        "lights",
    }
    assert sum(g["projects"] for g in data["groups"]) == 113
    assert sum(g["completed_wan"] for g in data["groups"]) == pytest.approx(data["completed_wan"])


def test_lights_and_evaluate_name_their_reasons(demo_db):
    lights = json.loads(cli("lights", "--month", "2020-08", "--json", db=demo_db).stdout)
    assert len(lights["projects"]) == 113
    assert all(p["reason"].endswith(("绿灯", "黄灯", "红灯")) for p in lights["projects"])
    evaluation = json.loads(cli("evaluate", "--month", "2020-08", "--json", db=demo_db).stdout)
    assert len(evaluation["red_flags"]) == 12
    assert evaluation["warnings"], "the demo has lagging projects"
    assert all(w["rule"] for w in evaluation["warnings"])
    text = cli("evaluate", "--month", "2020-08", "--quarter", db=demo_db)
    assert "2020年第2季度" in text.stdout


def test_demo_twice_gives_the_same_database(demo_db, tmp_path):
    again = tmp_path / "again.duckdb"
    built = cli_process("--db", str(again), "demo")  # the command a user types, in a process
    assert (built.returncode, built.stdout) == (0, f"已用示例数据重建数据库 {again}\n")
    assert cli("--db", str(again), "demo").returncode == 0  # over the one just built
    for command in (
        ["summary", "--month", "2020-08", "--by", "unit", "--json"],
        ["lights", "--month", "2020-05", "--json"],
    ):
        assert cli(*command, db=again).stdout == cli(*command, db=demo_db).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["summary", "--month", "2031-01"], "2031-01 没有数据"),
        (["summary", "--month", "8月"], "月份格式应为 YYYY-MM"),
    ],
)
def test_bad_month_is_one_chinese_line(demo_db, args, message):
    result = cli(*args, db=demo_db)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_missing_database_is_one_chinese_line(tmp_path):
    result = cli_process("summary", "--month", "2020-08", db=tmp_path / "none.duckdb")
    assert result.returncode == 1
    missing = tmp_path / "none.duckdb"
    hint = "（先运行 python -m xzcore demo 或 init）"
    assert result.stderr.strip() == f"错误：数据库文件不存在：{missing}{hint}"


@contextlib.contextmanager
def held(path, read_only):
    """Another process holding the database open, as a running dashboard does."""
    code = (
        f"import duckdb, time; c = duckdb.connect({str(path)!r}, read_only={read_only}); "
        "print('ready', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield
    finally:
        holder.kill()
        holder.wait()


def _one_locked_line(result):
    assert result.returncode == 1
    assert "正被另一个进程" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_database_locked_by_another_process_is_one_chinese_line(demo_db):
    with held(demo_db, read_only=False):
        started = time.monotonic()
        _one_locked_line(cli("summary", "--month", "2020-08", db=demo_db))
        assert time.monotonic() - started < 20


def test_demo_refuses_to_replace_a_database_a_dashboard_has_open(demo_db):
    before = hashlib.sha256(demo_db.read_bytes()).hexdigest()
    with held(demo_db, read_only=True):
        _one_locked_line(cli("--db", str(demo_db), "demo"))
        # readers may share it meanwhile: the dashboard and a CLI summary together
        assert cli("summary", "--month", "2020-08", db=demo_db).returncode == 0
    assert hashlib.sha256(demo_db.read_bytes()).hexdigest() == before


def test_without_a_month_the_newest_published_one_read_as_published(demo_db, tmp_path):
    """A unit's September is in (collecting): the default stays on August, read from its
    frozen copy; September, asked for, says 未发布 first (JSON: state and banner)."""
    path = tmp_path / "september.duckdb"
    shutil.copy(demo_db, path)
    staff_september(path)
    for command in (["summary", "--json"], ["lights", "--json"], ["evaluate"], ["summary"]):
        asked = cli(command[0], "--month", "2020-08", *command[1:], db=path)
        assert cli(*command, db=path).stdout == asked.stdout != ""
    august = json.loads(cli("summary", "--json", db=path).stdout)
    assert (august["month"], august["state"], august["banner"], august["version"]) == (
        "2020-08", "已发布", None, 1,
    )  # fmt: skip
    for command in ("summary", "lights", "evaluate"):
        lines = cli(command, "--month", "2020-09", db=path).stdout.splitlines()
        assert lines[0] == f"2020-09 {BANNER}", command
    september = json.loads(cli("lights", "--month", "2020-09", "--json", db=path).stdout)
    assert (september["state"], september["banner"]) == ("收集中", BANNER)
    # August as published, whatever the rule in force now
    before = cli("lights", "--json", db=path).stdout
    collecting = cli("lights", "--month", "2020-09", "--json", db=path).stdout
    with db.connect(path) as con:
        settings.write(con, "preset", "wuhan", actor=ADMIN)
    assert cli("lights", "--json", db=path).stdout == before
    # while September, not published, follows the rule: the freeze is what kept August
    assert cli("lights", "--month", "2020-09", "--json", db=path).stdout != collecting

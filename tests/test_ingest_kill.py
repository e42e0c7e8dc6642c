"""A commit killed with SIGKILL half-way through its transaction leaves the earlier data whole."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.upload_files import dump, load
from xzcore import ingest
from xzcore.store import db

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = 3000

# The child commits the file; refresh_lights runs inside the transaction after every row is
# written, so it stands in for “the middle of the commit”: it says so and waits to be killed.
CHILD = textwrap.dedent(
    """
    import importlib, sys, time
    from pathlib import Path
    from xzcore import auth, ingest
    from xzcore.store import db

    # Not `import xzcore.ingest.commit`: the package's name `commit` is the function.
    module = importlib.import_module("xzcore.ingest.commit")

    def stall(con, year, from_month):
        written = con.execute(
            "SELECT count(*) FROM progress WHERE month = 1 AND ytd >= 5000"
        ).fetchone()[0]
        print("in-transaction", written, flush=True)
        time.sleep(120)

    module.refresh_lights = stall
    con = db.connect(sys.argv[1])
    data = Path(sys.argv[2]).read_bytes()
    ingest.commit(con, ingest.prepare(con, data, "2020年1月月报更正.csv"), auth.SYSTEM)
    print("committed", flush=True)
    """
)


def _register() -> bytes:
    lines = ["项目代码,项目名称,年度计划投资,计划开工日期"]
    lines += [f"K{i:05d},测试项目{i:05d},{12000 + i},2020-01-15" for i in range(PROJECTS)]
    return "\n".join(lines).encode("gbk")


def _january(base: int) -> bytes:
    lines = ["秀洲区重点项目2020年1月进展情况", "项目代码,项目名称,本月完成投资,项目阶段"]
    lines += [f"K{i:05d},测试项目{i:05d},{base + i % 97},在建" for i in range(PROJECTS)]
    return "\n".join(lines).encode("gbk")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_in_the_middle_of_a_commit_leaves_the_previous_data_whole(tmp_path):
    path = tmp_path / "kill.duckdb"
    con = db.connect(path, create=True)
    load(con, _register(), "2020年计划表.csv")
    load(con, _january(1000), "2020年1月月报.csv")
    before = dump(con)
    con.close()  # the child needs the file to itself
    replacement = tmp_path / "2020年1月月报更正.csv"
    replacement.write_bytes(_january(5000))  # every one of the 3,000 rows changes

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(replacement)],
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([child.stdout], [], [], 120)
        line = child.stdout.readline().strip() if ready else ""
        assert line == f"in-transaction {PROJECTS}", (line, child.stderr.read())
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    con = db.connect(path)
    try:
        assert dump(con) == before
        assert con.execute("SELECT count(*), min(ytd), max(ytd) FROM progress").fetchone() == (
            PROJECTS,
            1000,
            1096,
        )
        # The database is not only whole but usable: the same file commits now.
        load(con, replacement.read_bytes(), replacement.name)
        assert con.execute("SELECT min(ytd), max(ytd) FROM progress").fetchone() == (5000, 5096)
        assert [b["id"] for b in ingest.batches(con)] == [3, 2, 1]
    finally:
        con.close()

"""Faults tried on purpose against the store the pages use (ui.data: one connection per server
process, one writer at a time): two sessions committing at the same moment, an undo while
another preview is open, a full disk during a commit, a read-only and a damaged file.

The disk and read-only cases need a real file system that fills up or refuses writes: a small
tmpfs, which takes root (the test machines and CI run as root)."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.cycle_files import OFFICE, SEP, UNIT, report
from tests.upload_files import dump
from ui import data
from xzcore import ingest
from xzcore.errors import XZError
from xzcore.store import db, faults

OTHER = "油车港镇人民政府"  # a second unit with its own projects in the demo
ROOT = Path(__file__).resolve().parent.parent


def _prepare(payload: bytes) -> ingest.Preview:
    preview = ingest.prepare(data.cursor(), payload, "月报.csv", user=OFFICE)
    assert not preview.errors, [str(e) for e in preview.errors]
    return preview


def _commit(preview: ingest.Preview) -> int | None:
    return data.commit(preview, OFFICE, bool(preview.warnings), "核实无误" * bool(preview.warnings))


def _september(unit: str) -> dict[str, float]:
    rows = data.cursor().execute(
        "SELECT p.code, g.ytd FROM progress g JOIN projects p ON p.id = g.project_id"
        " WHERE g.year = 2020 AND g.month = 9 AND p.unit = ?",
        [unit],
    )
    return {code: float(ytd) for code, ytd in rows.fetchall()}


def _sent(payload: bytes) -> dict[str, float]:
    """A report's cumulative per project code (below its title and header lines)."""
    lines = payload.decode("utf-8-sig").splitlines()[2:]
    return {code: float(ytd) for code, _, ytd in (line.split(",") for line in lines)}


def _at_once(*work):
    """Run each callable in its own thread, released together; their results or exceptions."""
    start, results = threading.Barrier(len(work)), [None] * len(work)

    def run(i, job):
        start.wait()
        try:
            results[i] = job()
        except Exception as exc:  # the caller asserts on what each one met
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(work)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.fixture
def store(app_db):
    """The demo copy opened the way the server opens it, dropped afterwards."""
    data.forget_connection()
    yield app_db
    data.forget_connection()


def test_two_sessions_committing_at_the_same_moment_both_land(store):
    mine, theirs = report(data.cursor(), SEP, UNIT), report(data.cursor(), SEP, OTHER)
    first, second = _prepare(mine), _prepare(theirs)
    results = _at_once(lambda: _commit(first), lambda: _commit(second))
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 2
    assert _september(UNIT) == _sent(mine) and _september(OTHER) == _sent(theirs)


def test_the_same_file_from_two_sessions_lands_once_and_the_other_is_told(store):
    payload = report(data.cursor(), SEP, UNIT)
    one, two = _prepare(payload), _prepare(payload)
    results = _at_once(lambda: _commit(one), lambda: _commit(two))
    landed = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, XZError)]
    assert len(landed) == 1 and len(refused) == 1, results
    assert "预览之后数据已有变动" in str(refused[0])
    assert data.cursor().execute("SELECT count(*) FROM batches WHERE month = 9").fetchone() == (1,)


def test_an_undo_while_a_preview_is_open_makes_that_commit_look_again(store):
    batch = _commit(_prepare(report(data.cursor(), SEP, UNIT)))
    # a correction laid against September as the unit reported it: 变更 of each project
    fix = _prepare(report(data.cursor(), SEP, UNIT, add=300))
    assert {r.action for r in fix.rows} == {"changed"}
    other = _prepare(report(data.cursor(), SEP, OTHER))  # another unit's, untouched by the undo
    data.undo(batch, OFFICE)
    before = dump(data.cursor())
    with pytest.raises(XZError, match="预览之后数据已有变动"):
        _commit(fix)  # its rows would now be 新增, not what was confirmed
    assert dump(data.cursor()) == before
    assert _commit(other) is not None  # the undo changed nothing this preview showed
    assert _commit(_prepare(report(data.cursor(), SEP, UNIT, add=300))) is not None


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of its own, so that filling it up touches nothing else; unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", disk], capture_output=True, text=True
    )
    if mounted.returncode != 0:  # a container without CAP_SYS_ADMIN: said, not hidden
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", disk], check=True)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as exc:
            assert exc.errno == 28
    return filler


def test_a_full_disk_during_a_commit_writes_nothing_and_the_commit_lands_once_freed(
    store, small_disk, monkeypatch
):
    path = small_disk / "demo.duckdb"
    shutil.copy(store, path)
    monkeypatch.setenv("XZ_DB", str(path))
    data.forget_connection()
    preview = _prepare(report(data.cursor(), SEP))  # every project's September
    before = dump(data.cursor())
    filler = _fill(small_disk)
    with pytest.raises(XZError) as refused:
        _commit(preview)
    assert str(refused.value) == f"{faults.DISK_FULL}。本次操作没有写入任何数据。"
    assert dump(data.cursor()) == before
    filler.unlink()
    assert _commit(preview) is not None
    assert len(_september(UNIT)) == 5
    data.forget_connection()
    with db.connect(path) as reopened:  # and it is on the disk, whole
        assert reopened.execute("SELECT count(*) FROM progress WHERE month = 9").fetchone()[0]


def test_a_read_only_file_is_shown_read_only_and_refuses_writes(store, small_disk, monkeypatch):
    path = small_disk / "demo.duckdb"
    shutil.copy(store, path)
    monkeypatch.setenv("XZ_DB", str(path))
    subprocess.run(["mount", "-o", "remount,ro", small_disk], check=True)
    data.forget_connection()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    assert [w.value for w in at.warning if w.value == faults.READ_ONLY]
    assert "绿灯 94 个" in " ".join(m.value for m in at.markdown)  # the figures are there
    with pytest.raises(XZError, match=faults.READ_ONLY), data.writing() as con:
        con.execute("UPDATE settings SET value = value")


def test_a_truncated_file_gets_the_fault_page_not_a_traceback(
    demo_template, tmp_path, monkeypatch, caplog
):
    path = tmp_path / "truncated.duckdb"
    path.write_bytes(demo_template.read_bytes()[:3000])
    monkeypatch.setenv("XZ_DB", str(path))
    data.forget_connection()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    assert faults.CORRUPT in at.error[0].value
    assert any("故障编号" in c.value for c in at.caption)
    assert "IOException" in caplog.text or "IO Error" in caplog.text
    data.forget_connection()


def test_a_fault_of_the_file_is_told_apart_from_a_bug(tmp_path):
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"hello" * 1000)  # what a half-copied or overwritten file looks like
    with pytest.raises(duckdb.Error) as damaged:
        duckdb.connect(str(junk))
    assert faults.explain(damaged.value) == faults.CORRUPT
    with duckdb.connect() as con, pytest.raises(duckdb.Error) as bug:
        con.execute("SELECT * FROM no_such_table")
    assert faults.kind(bug.value) is None  # shown as the bug it is, not as a damaged file

"""Many processes, one PostgreSQL store (issue 16): two `streamlit run dashboard.py` servers and
the command line, all on the demo in one PostgreSQL database.

- An upload committed through server 1 shows on server 2's page at its next load.
- Three uploads of different units' September reports, one through each server and one by
  `python -m xzcore import`, started together, all commit: they take turns on the store's write
  lock (a PostgreSQL advisory lock), none fails with a serialization error. To make sure they
  really do meet, the test holds that lock itself while it starts them, waits until PostgreSQL
  shows all three waiting for it (pg_locks), then lets go.
- September, published by the command line, shows as published on server 2's next load.
- The figures afterwards equal those of the same uploads (and publishing) made one after the
  other on a fresh DuckDB file store.

And without a browser: another process's commit changes an open connection's data_version, and
a month published by another process is read through an already open connection.
"""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal

import psycopg
import pytest

from tests.browser import Site, server_process, settled
from tests.cycle_files import PASSWORDS, SEP, report
from tests.logins import session_cookie
from tests.pg_fixtures import (
    cli,
    cli_here,
    cli_start,
    demo_archive,
    demo_store,
    lock_holders,
    lock_waiters,
    target,
    wait_for,
)
from xzcore import auth, cycle, ingest
from xzcore.display import fmt
from xzcore.figures import metrics
from xzcore.store import db, postgres

WAIT = 60000
# Four units' September reports (5 projects each; the demo has 1-8月 published, 9月 due)
FIRST = "洪合镇人民政府"  # through server 1, alone: does server 2 see it?
# then together: through server 1 (office), server 2 (the unit's own staff) and the CLI
TOGETHER = {"server 1": "区水利局", "server 2": "王江泾镇人民政府", "cli": "区商务局"}
WHO = {"server 1": "office", "server 2": "staff"}
APPS = {"server 1": "xz-server-1", "server 2": "xz-server-2", "cli": "xz-cli"}
NAMES = {unit: f"{unit}9月月报.csv" for unit in (FIRST, *TOGETHER.values())}
PUBLISHED = "测试：4 个单位报送后发布"
# what an upload's failing to take its turn would leave in a log or on a page
CONFLICT = re.compile(r"could not serialize|serialization|conflict|写入数据库失败", re.I)


@pytest.fixture
def pg_demo() -> bytes:
    """The demo built into PostgreSQL by the command line (once per test process)."""
    return demo_archive()


class _Pages:
    """Pages in browser contexts of their own, every context closed at the end."""

    def __init__(self, browser):
        self.browser, self.contexts = browser, []

    def page(self, site: Site, who: str):
        page = site.page(self.browser, who)
        self.contexts.append(page.context)
        return page

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for context in self.contexts:
            context.close()


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not CONFLICT.search(page.inner_text("body"))


def _overview(page, url: str) -> tuple[str, str]:
    """Load September's overview; (its stamp and banner text, the 累计完成投资 shown)."""
    page.goto(f"{url}/?month=2020-09")
    page.get_by_text("累计完成投资与时序进度").first.wait_for(timeout=WAIT)
    settled(page, WAIT)
    _no_exception(page)
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="累计完成投资")
    value = metric.locator('[data-testid="stMetricValue"]').inner_text()
    stamp = page.locator('[data-testid="stCaptionContainer"]').filter(has_text="数据截至").first
    return stamp.inner_text(), value.strip()


def _ready_to_commit(page, url: str, unit: str, data: bytes) -> None:
    """The upload page with the unit's report chosen and previewed clean, 确认导入 enabled."""
    page.goto(f"{url}/upload")
    page.get_by_text("上传记录").first.wait_for(timeout=WAIT)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        {"name": NAMES[unit], "mimeType": "text/csv", "buffer": data}
    )
    page.get_by_text("没有发现问题，可以导入。").wait_for(timeout=WAIT)
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some("
        "b => b.innerText.includes('确认导入') && !b.disabled)",
        timeout=WAIT,
    )
    settled(page, WAIT)


def _committed(page) -> int:
    page.get_by_text(re.compile(r"已导入：批次#\d+")).wait_for(timeout=WAIT)
    _no_exception(page)
    return int(re.search(r"已导入：批次#(\d+)", page.inner_text("body")).group(1))


def _summary(store: str, *args: str) -> dict:
    return json.loads(cli_here(store, "summary", "--json", *args))


def _figures(store: str) -> dict:
    """What the comparison of the two stores looks at: the command line's summaries (August,
    published; September, being collected, by unit) and lights, every progress row with the
    batch (file and account) that wrote it, and the batch table."""
    out = {
        "summary 2020-08": _summary(store),
        "summary 2020-09 by unit": _summary(store, "--month", "2020-09", "--by", "unit"),
        "lights 2020-09": json.loads(cli_here(store, "lights", "--json", "--month", "2020-09")),
    }
    with db.connect(store, read_only=True) as con:
        out["progress"] = con.execute(
            "SELECT p.code, g.year, g.month, g.amount, g.ytd, g.stage, g.image_progress,"
            " g.problems, g.since_start, g.started, b.file_name, b.user_name"
            " FROM progress g JOIN projects p ON p.id = g.project_id"
            " JOIN batches b ON b.id = g.batch_id ORDER BY ALL"
        ).fetchall()
        out["batches"] = con.execute(
            "SELECT kind, file_name, sha256, year, month, row_count, user_name, undone_at"
            " FROM batches ORDER BY ALL"
        ).fetchall()
    return out


def _upload(path, unit: str, data: bytes, username: str) -> None:
    """An upload as the page makes it: prepare, then commit, as the demo account."""
    with db.connect(path) as con:
        user = auth.authenticate(con, username, PASSWORDS[username])
        preview = ingest.prepare(con, data, NAMES[unit], user=user)
        assert not preview.errors and not preview.warnings, [str(p) for p in preview.problems]
        assert ingest.commit(con, preview, user) is not None


@pytest.mark.browser
def test_two_servers_and_the_command_line_share_one_postgresql_store(
    pg_demo, demo_template, tmp_path, browser
):
    with demo_store(pg_demo) as pg:
        store = target(pg)
        with db.connect(store) as con:
            files = {unit: report(con, SEP, unit) for unit in NAMES}
        cookies = {who: session_cookie(store, who, "http://127.0.0.1") for who in set(WHO.values())}
        august = _summary(store)["completed_wan"]
        logs = {name: tmp_path / f"{name}.log" for name in ("server 1", "server 2")}
        with (
            server_process(target(pg, APPS["server 1"]), log=logs["server 1"]) as (url1, _),
            server_process(target(pg, APPS["server 2"]), log=logs["server 2"]) as (url2, _),
            _Pages(browser) as opened,
        ):
            one, two = Site(url1, cookies), Site(url2, cookies)

            # (a) server 2's page before and after an upload committed through server 1
            watcher = opened.page(two, "office")
            stamp, shown = _overview(watcher, url2)
            assert "数据截至 2020年1-8月" in stamp and shown == fmt.money(august)
            uploader = opened.page(one, "office")
            _ready_to_commit(uploader, url1, FIRST, files[FIRST])
            uploader.get_by_role("button", name="确认导入").click()
            first_batch = _committed(uploader)
            september = _summary(store, "--month", "2020-09")
            assert Decimal(str(september["completed_wan"])) == Decimal(str(august)) + 500
            stamp, shown = _overview(watcher, url2)  # the next load, nothing cleared
            assert "数据截至 2020年1-9月" in stamp, stamp
            assert "未发布（已报送 5/113 个项目，1/19 个单位）" in stamp, stamp
            assert shown == fmt.money(september["completed_wan"]) != fmt.money(august)

            # (b) three uploads of different units started together: each server's and the CLI's
            pages = {"server 1": uploader, "server 2": opened.page(two, "staff")}
            for name, page in pages.items():
                unit = TOGETHER[name]
                _ready_to_commit(page, url1 if name == "server 1" else url2, unit, files[unit])
            cli_file = tmp_path / NAMES[TOGETHER["cli"]]
            cli_file.write_bytes(files[TOGETHER["cli"]])
            gate = psycopg.connect(pg.conninfo, autocommit=True)
            child = None
            try:
                gate.execute("SELECT pg_advisory_lock(%s)", [postgres.LOCK_KEY])
                for page in pages.values():
                    page.get_by_role("button", name="确认导入").click()
                child = cli_start(target(pg, APPS["cli"]), "import", str(cli_file))
                wait_for(
                    "both servers and the CLI waiting for the store's write lock",
                    lambda: sorted(app for _, app in lock_waiters(pg)) == sorted(APPS.values()),
                )
                gate.execute("SELECT pg_advisory_unlock(%s)", [postgres.LOCK_KEY])
                batches = {name: _committed(page) for name, page in pages.items()}
                out, err = child.communicate(timeout=120)
                assert child.returncode == 0, (out, err)
                assert "已导入，批次#" in out and not CONFLICT.search(out + err), (out, err)
                batches["cli"] = int(re.search(r"已导入，批次#(\d+)", out).group(1))
            finally:
                gate.close()
                if child is not None and child.poll() is None:
                    child.kill()
                    child.wait()
            assert sorted(batches.values()) == [first_batch + 1, first_batch + 2, first_batch + 3]
            assert lock_holders(pg) == [] and lock_waiters(pg) == []

            # server 2 shows all four units' figures at its next load
            september = _summary(store, "--month", "2020-09")
            stamp, shown = _overview(watcher, url2)
            assert "未发布（已报送 20/113 个项目，4/19 个单位）" in stamp, stamp
            assert shown == fmt.money(september["completed_wan"])
            assert Decimal(str(september["completed_wan"])) == Decimal(str(august)) + 2000

            # another process publishes September: server 2 shows it published at its next load
            cli(store, "publish", "--month", "2020-09", "--reason", PUBLISHED)
            stamp, shown = _overview(watcher, url2)
            assert "数据截至 2020年1-9月" in stamp and "未发布" not in stamp, stamp
            assert shown == fmt.money(september["completed_wan"])
        for log in logs.values():
            assert not CONFLICT.search(log.read_text(errors="replace")), log.read_text()

        # (c) the same uploads one after the other on a fresh DuckDB file store
        serial = tmp_path / "serial.duckdb"
        shutil.copy(demo_template, serial)
        _upload(serial, FIRST, files[FIRST], "office")
        for name, unit in TOGETHER.items():
            if name == "cli":
                cli_here(str(serial), "import", str(cli_file))
            else:
                _upload(serial, unit, files[unit], WHO[name])
        cli_here(str(serial), "publish", "--month", "2020-09", "--reason", PUBLISHED)
        assert _figures(store) == _figures(str(serial))


def test_a_commit_and_a_publish_by_another_process_reach_an_open_connection(pg_demo, tmp_path):
    with demo_store(pg_demo) as pg:
        store = target(pg)
        con = db.connect(store)  # this process's connection, open throughout
        try:
            before = db.data_version(con)
            path = tmp_path / NAMES[FIRST]
            path.write_bytes(report(con, SEP, FIRST))
            cli(store, "import", str(path))  # another process commits
            imported = db.data_version(con)
            assert imported != before
            assert con.execute(
                "SELECT count(*) FROM progress g JOIN projects p ON p.id = g.project_id"
                " WHERE p.unit = ? AND g.year = 2020 AND g.month = 9",
                [FIRST],
            ).fetchone() == (5,)
            assert cycle.months.latest(con, SEP) is None

            # another process publishes September: a schema this connection has never seen
            cli(store, "publish", "--month", "2020-09", "--reason", "测试：只有一个单位报送")
            published = db.data_version(con)  # what every page asks first
            assert published != imported
            version = cycle.months.latest(con, SEP)
            assert version is not None and version.version == 1
            frozen = cycle.months.reader(con, SEP)
            assert frozen.execute(
                "SELECT current_schema(), count(*) FROM progress WHERE year = 2020 AND month = 9"
            ).fetchone() == (version.schema_name, 5)
            # the month as published, read here, is what the command line reads
            here = metrics.summary(frozen, SEP)
            there = json.loads(cli(store, "summary", "--json", "--month", "2020-09").stdout)
            assert str(here["completed_wan"]) == str(there["completed_wan"])
            assert here["lights"] == there["lights"]
            assert cycle.months.banner(con, SEP) is None
        finally:
            con.close()
        assert lock_holders(pg) == []

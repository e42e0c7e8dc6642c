"""The committed demo files load into the tables and reproduce the published 2020 figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from xzcore import auth, demo
from xzcore.figures import demo_mark
from xzcore.store import db

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
TABLES = ("projects", "batches", "annual_plans", "monthly_targets", "progress", "audit_log")

# Completion rate per project and month, next to the project's start dates.
RATES = """
    SELECT p.id, p.actual_start, p.planned_start, g.month, g.ytd / a.plan AS rate
    FROM projects p
    JOIN annual_plans a ON a.project_id = p.id AND a.year = 2020
    JOIN progress g ON g.project_id = p.id AND g.year = 2020
"""


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = db.connect(tmp_path_factory.mktemp("demo") / "demo.duckdb", create=True)
    demo.load(connection, DEMO_DIR)
    yield connection
    connection.close()


def one(con, sql: str, params=()):
    return con.execute(sql, list(params)).fetchone()[0]


def test_113_projects_all_started_by_the_end_of_august(con):
    assert one(con, "SELECT count(*) FROM projects") == 113
    assert one(con, "SELECT count(*) FROM projects WHERE actual_start <= DATE '2020-08-31'") == 113


def test_august_completion_is_80_percent_of_the_annual_plan(con):
    done = one(con, "SELECT sum(ytd) FROM progress WHERE year = 2020 AND month = 8")
    plan = one(con, "SELECT sum(plan) FROM annual_plans WHERE year = 2020")
    assert abs(done / plan - Decimal("0.8000")) <= Decimal("0.0005")


def test_december_target_equals_the_plan_for_every_project(con):
    assert one(con, "SELECT count(*) FROM monthly_targets") == 113 * 12
    mismatched = one(
        con,
        "SELECT count(*) FROM annual_plans a JOIN monthly_targets t"
        " ON t.project_id = a.project_id AND t.year = a.year AND t.month = 12"
        " WHERE t.target_cum <> a.plan",
    )
    assert mismatched == 0


def test_cumulative_never_decreases_and_amount_is_the_difference(con):
    assert one(con, "SELECT count(*) FROM progress") == 113 * 8
    bad = one(
        con,
        "SELECT count(*) FROM progress g LEFT JOIN progress b ON b.project_id = g.project_id"
        " AND b.year = g.year AND b.month = g.month - 1"
        " WHERE g.ytd < coalesce(b.ytd, 0) OR g.amount <> g.ytd - coalesce(b.ytd, 0)",
    )
    assert bad == 0


def test_longi_row_has_the_published_figures(con):
    row = con.execute(
        "SELECT p.total_investment, p.actual_start, p.planned_completion, p.build_type, p.unit,"
        " a.plan FROM projects p JOIN annual_plans a ON a.project_id = p.id"
        " WHERE p.name = '隆基乐叶年产5GW单晶组件项目'"
    ).fetchall()
    assert row == [
        (
            Decimal(500000),
            dt.date(2020, 2, 20),
            dt.date(2020, 11, 30),
            "新建",
            "秀洲高新区管委会",
            Decimal(200000),
        )
    ]


def test_enough_clear_leaders_started_on_time(con):
    leaders = one(
        con,
        f"SELECT count(*) FROM ({RATES}) WHERE month = 8 AND rate >= 8 / 12 + 0.10"
        " AND actual_start <= planned_start",
    )
    assert leaders >= 12


def test_laggards_in_august_were_also_behind_in_july(con):
    august = dict(
        con.execute(
            f"SELECT id, rate FROM ({RATES}) WHERE month = 8 AND rate < 8 / 12 - 0.10"
        ).fetchall()
    )
    assert 8 <= len(august) <= 16
    july = dict(con.execute(f"SELECT id, rate FROM ({RATES}) WHERE month = 7").fetchall())
    assert all(july[pid] < 7 / 12 - 0.10 for pid in august)


def test_one_batch_per_file_with_its_hash(con):
    rows = con.execute("SELECT kind, month, row_count FROM batches ORDER BY id").fetchall()
    assert rows == [("register", None, 113)] + [("progress", m, 113) for m in range(1, 9)]
    sha = one(con, "SELECT sha256 FROM batches WHERE kind = 'register'")
    assert len(sha) == 64


def test_generate_is_reproducible_and_matches_the_committed_files(tmp_path):
    first = demo.generate(tmp_path / "a")
    second = demo.generate(tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    assert len(first) == 9
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
        assert a.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as offices save
        assert a.read_bytes() == (DEMO_DIR / a.name).read_bytes(), f"{a.name} is stale"


def test_build_twice_gives_the_same_tables(tmp_path):
    contents = []
    for _ in range(2):
        demo.build(tmp_path / "demo.duckdb", DEMO_DIR)
        con = db.connect(tmp_path / "demo.duckdb", read_only=True)
        contents.append([con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES])
        lights = "SELECT * EXCLUDE (computed_at) FROM light_snapshots ORDER BY ALL"
        contents[-1].append(con.execute(lights).fetchall())
        # Deliberately left out: the password hashes, salted at random (so never equal twice);
        # test_demo_accounts_log_in_with_their_documented_passwords checks them.
        users = "SELECT * EXCLUDE (password_hash) FROM users ORDER BY ALL"
        contents[-1].append(con.execute(users).fetchall())
        con.close()
    assert contents[0] == contents[1]
    assert contents[0][0][0][:2] == (1, "XZ2020-001")  # ids follow the file order


def test_demo_accounts_log_in_with_their_documented_passwords(demo_db):
    con = db.connect(demo_db)
    try:
        users = {
            name: auth.authenticate(con, name, password, now=dt.datetime(2020, 9, 15, 9))
            for name, password, *_ in demo.ACCOUNTS
        }
        batches = con.execute("SELECT DISTINCT user_name FROM batches").fetchall()
        staff_projects = one(con, "SELECT count(*) FROM projects WHERE unit = '王江泾镇人民政府'")
    finally:
        con.close()
    assert {n: (u.role, u.units) for n, u in users.items()} == {
        "leader": ("viewer", ()),
        "staff": ("staff", ("王江泾镇人民政府",)),
        "office": ("office", ()),
        "admin": ("admin", ()),
    }
    assert staff_projects == 5  # the staff account has projects of its own to report
    assert batches == [(demo_mark.UPLOADER,)]  # the mark of demo data for the pages
    assert all(len(password) >= auth.MIN_PASSWORD for _, password, *_ in demo.ACCOUNTS)

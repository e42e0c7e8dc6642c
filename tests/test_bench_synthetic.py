"""The synthetic benchmark district: built as designed, valid, and readable by the metrics."""

import pytest

from bench import run, synthetic
from xzcore.figures import metrics
from xzcore.period import Month
from xzcore.store import db

PROJECTS = 200


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "synthetic.duckdb"
    synthetic.build(path, PROJECTS)
    con = db.connect(path, read_only=True)
    yield con
    con.close()


def _one(con, sql):
    return con.execute(sql).fetchone()[0]


def test_row_counts_are_what_was_designed(district):
    not_started = _one(district, "SELECT count(*) FROM projects WHERE actual_start IS NULL")
    assert _one(district, "SELECT count(*) FROM projects") == PROJECTS
    assert _one(district, "SELECT count(*) FROM batches WHERE kind = 'register'") == 1
    assert _one(district, "SELECT count(*) FROM batches WHERE kind = 'progress'") == 36
    # every progress row belongs to the batch of its own month
    assert _one(
        district,
        "SELECT count(*) FROM progress p JOIN batches b ON b.id = p.batch_id"
        " WHERE b.year = p.year AND b.month = p.month",
    ) == _one(district, "SELECT count(*) FROM progress")
    assert _one(district, "SELECT count(*) FROM annual_plans") == PROJECTS * 3
    assert _one(district, "SELECT count(*) FROM monthly_targets") == PROJECTS * 3 * 12
    # About 5% never start, and they report nothing; every other project reports all 36 months.
    assert 0 < not_started < PROJECTS * 0.15
    assert _one(district, "SELECT count(*) FROM progress") == (PROJECTS - not_started) * 36
    assert (
        _one(
            district,
            "SELECT count(*) FROM progress JOIN projects p ON p.id = project_id"
            " WHERE p.actual_start IS NULL",
        )
        == 0
    )


def test_not_started_projects_are_overdue_at_the_benchmark_month(district):
    latest = _one(district, "SELECT max(planned_start) FROM projects WHERE actual_start IS NULL")
    assert latest <= Month(2020, 8).end


def test_ytd_never_decreases_and_amount_is_its_difference(district):
    bad = _one(
        district,
        """SELECT count(*) FROM (
               SELECT ytd, amount, lag(ytd) OVER (PARTITION BY project_id, year ORDER BY month)
                   AS before
               FROM progress)
           WHERE ytd < before OR amount <> ytd - coalesce(before, 0)""",
    )
    assert bad == 0


def test_december_target_is_the_plan(district):
    assert (
        _one(
            district,
            """SELECT count(*) FROM monthly_targets t JOIN annual_plans ap USING (project_id, year)
               WHERE t.month = 12 AND t.target_cum <> ap.plan""",
        )
        == 0
    )


def test_sequence_moved_past_the_generated_ids(tmp_path):
    path = tmp_path / "s.duckdb"
    synthetic.build(path, 5, months=3)
    con = db.connect(path)
    try:
        assert con.execute("SELECT nextval('project_id_seq')").fetchone()[0] > 5
        assert _one(con, "SELECT count(*) FROM annual_plans") == 5  # one year only
    finally:
        con.close()
    with pytest.raises(FileExistsError):
        synthetic.build(path, 5)


def test_metrics_run_on_it(district):
    result = metrics.summary(district, Month(2020, 8), by=["unit", "township"])
    assert result["projects"] == PROJECTS
    assert 0 < result["completion_rate"] < 2
    assert all(result["lights"].values())  # green, yellow and red all occur
    assert len(result["groups"]["township"]) == 9


def test_run_prints_one_line_per_size(tmp_path, capsys):
    assert run.main(["--sizes", "50", "--keep", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split()[0] == "projects"
    assert lines[-1].split()[0] == "50"
    assert (tmp_path / "xzbench-50.duckdb").exists()

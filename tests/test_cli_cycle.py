"""python -m xzcore months / publish / status / remind, as an office runs them."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.cycle_files import SEP, UNIT, report
from tests.test_cli import cli
from xzcore import auth, ingest
from xzcore.store import db


@pytest.fixture
def demo(demo_template, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    with db.connect(path) as con:  # the unit's September is in; the others' is not
        data = report(con, SEP, UNIT)
        ingest.commit(con, ingest.prepare(con, data, "九月月报.csv"), auth.SYSTEM)
    return path


def test_months_status_remind_then_publish(demo):
    months = json.loads(cli("months", "--json", db=demo).stdout)
    assert [(m["month"], m["state"], m["version"]) for m in months[-2:]] == [
        ("2020-08", "已发布", 1),
        ("2020-09", "收集中", None),
    ]
    assert (months[-1]["reported"], months[-1]["units_reported"]) == (5, 1)
    text = cli("months", db=demo).stdout.splitlines()
    assert text[-1] == "2020-09  收集中  已报送 5/113 个项目，1/19 个单位"

    status = cli("status", db=demo)  # the month being collected by default
    assert status.returncode == 0
    lines = status.stdout.splitlines()
    assert lines[0] == "2020-09 报送情况（截止 10月5日）"
    assert f"  {UNIT}：已报送 5/5" in lines
    units = json.loads(cli("status", "--month", "2020-09", "--json", db=demo).stdout)["units"]
    assert {u["unit"]: u["state"] for u in units}[UNIT] == "已报送"

    remind = cli("remind", db=demo).stdout
    assert remind.startswith("【催报】2020年9月重点项目月报应于10月5日前报送，以下单位尚未报齐：")
    assert UNIT not in remind and "区卫健局：3个项目未报送" in remind
    assert cli("remind", "--unit", UNIT, db=demo).stdout.strip() == (
        f"{UNIT} 2020年9月的月报已全部报送。"
    )

    published = cli("publish", "--month", "2020-09", "--reason", "按期发布，未报送单位另行催报",
                    db=demo)  # fmt: skip
    assert published.returncode == 0
    assert published.stdout.strip() == "已发布 2020-09（第 1 版）：已报送 5/113 个项目"
    again = cli("publish", "--month", "2020-09", db=demo)
    assert again.returncode == 1 and again.stderr.startswith("错误：2020-09 已于")
    with db.connect(demo, read_only=True) as con:
        assert con.execute(
            "SELECT version, reason FROM month_versions WHERE year = 2020 AND month = 9"
        ).fetchall() == [(1, "按期发布，未报送单位另行催报")]
    # summary now defaults to September, as published
    assert "2020年1-9月" in cli("summary", db=demo).stdout.splitlines()[0]

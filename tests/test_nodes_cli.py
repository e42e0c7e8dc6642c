"""python -m xzcore nodes overdue|pipeline|import|undo on the demo database."""

from __future__ import annotations

import json

from xzcore.cli.main import main

LONGI = "隆基乐叶年产5GW单晶组件项目"


def test_overdue_at_the_end_of_august(demo_db, capsys):
    assert main(["--db", str(demo_db), "nodes", "overdue", "--month", "2020-08", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["state"] == "超期" for r in rows)
    assert [r["days"] for r in rows] == sorted((r["days"] for r in rows), reverse=True)
    assert rows[0]["planned"] < "2020-08-31"
    assert main(["--db", str(demo_db), "nodes", "overdue", "--month", "2020-08"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f"截至2020-08-31，超期未完成的节点 {len(rows)} 个"


def test_pipeline_says_its_denominators(demo_db, capsys):
    assert main(["--db", str(demo_db), "nodes", "pipeline", "--month", "2020-08"]) == 0
    out = capsys.readouterr().out
    assert "开工率（按1-8月计划） 100.0%（已开工 113 个 ÷ 1-8月计划应开工 113 个）" in out
    assert "投产率（按签约项目）" in out and "÷ 签约项目 113 个" in out


def test_import_refuses_a_bad_file_and_undo_reverses_a_good_one(demo_db, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"项目名称,节点,计划日期\n{LONGI},设备安装,2020-02-30\n", encoding="gbk")
    assert main(["--db", str(demo_db), "nodes", "import", str(bad)]) == 1
    assert "第2行「计划日期」" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_text(f"项目名称,节点,计划日期\n{LONGI},设备安装,2020-11-20\n", encoding="gbk")
    assert main(["--db", str(demo_db), "nodes", "import", str(good)]) == 0
    assert "批次 1" in capsys.readouterr().out
    assert main(["--db", str(demo_db), "nodes", "undo", "1"]) == 0
    assert main(["--db", str(demo_db), "nodes", "undo", "1"]) == 1
    assert "没有可撤销的节点批次 1" in capsys.readouterr().err


def test_rule_turns_the_node_options_on_and_the_lights_and_warnings_follow(demo_db, capsys):
    from xzcore.figures import evaluation, metrics
    from xzcore.period import Month
    from xzcore.store import db

    def figures():
        with db.connect(demo_db, read_only=True) as con:
            aug = Month(2020, 8)
            live = metrics.lights(con, aug)  # August is published: the live figures move
            return live.light.value_counts().to_dict(), evaluation.evaluate(con, aug)["warnings"]

    assert main(["--db", str(demo_db), "nodes", "rule"]) == 0
    assert capsys.readouterr().out == "秀洲区（默认）：不考核节点；预警不考核节点\n"
    lights, warnings = figures()
    assert main(["--db", str(demo_db), "nodes", "rule", "--light", "on", "--warning", "on"]) == 0
    assert capsys.readouterr().out == (
        "秀洲区（默认）：节点超期1天及以上亮黄灯，超过30天亮红灯；节点超期60天及以上\n"
    )
    lit, warned = figures()
    assert lit != lights and lit["red"] > lights["red"]
    assert len(warned) > len(warnings)
    assert warned["rule"].str.contains("节点超期60天及以上：节点“").any()
    assert main(["--db", str(demo_db), "nodes", "rule", "--light", "off", "--warning", "off"]) == 0
    assert figures()[0] == lights

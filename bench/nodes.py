"""The pipeline at 10,000 projects × 12 nodes: the synthetic district (bench.synthetic) with
twelve nodes a project (the 产业项目 template's names, planned around the project's own dates,
about half of those due by the month done), then the figures of 项目推进 for 2020-08.

    python -m bench.nodes [--projects 10000] [--runs 5]

Target (issue 18): pipeline figures (counts and rates) under 200 ms. Also printed: the
exception lists, the overdue nodes and those due next month (everything the page reads), one
project's nodes (the project page), and a node file of 10,000 rows checked, written and undone.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench import synthetic
from xzcore import auth, rules
from xzcore.figures import evaluation, metrics
from xzcore.nodes import frame, importer, pipeline, states
from xzcore.period import Month
from xzcore.store import db

TARGET_MS = 200
MONTH = Month(2020, 8)
OFF = rules.get_preset("xiuzhou")
ON = OFF.with_thresholds({"node_rule": True, "node_warning": True})
# the 产业项目 template: (name, stage, days from the planned start; the start node is 0)
NODES = [("签约", "签约", -240), ("供地", None, -180), ("备案", None, -160),
         ("环评/能评", None, -130), ("规划许可", None, -100), ("施工许可", None, -45),
         ("开工入库", "开工", 0), ("主体结顶", None, 180), ("设备安装", None, 240),
         ("竣工", "竣工", None), ("投产", "投运", 30), ("达产/上规", None, 210)]  # fmt: skip

# Nodes planned from the project's dates (竣工 on its planned completion, 投产/达产 after it);
# a node due by the month's end is done (a few days either side of its plan) for 70% of them.
_NODES = """
INSERT INTO project_nodes
SELECT p.id, n.position, n.name, n.stage, n.planned,
    CASE WHEN n.planned <= DATE '2020-08-31'
              AND hash(p.id, n.position, 'done') % 10 < 7
         THEN n.planned + CAST(hash(p.id, n.position, 'late') % 21 AS INTEGER) - 7 END,
    NULL, NULL, NULL, 'bench', TIMESTAMP '2020-01-01 00:00:00'
FROM projects p,
    (SELECT * FROM (VALUES {values}) v(position, name, stage, days)) n0,
    LATERAL (SELECT n0.position, n0.name, n0.stage,
        CASE WHEN n0.name = '竣工' THEN coalesce(p.planned_completion, p.planned_start + 720)
             WHEN n0.position > 10 THEN coalesce(p.planned_completion, p.planned_start + 720)
                                        + n0.days
             ELSE p.planned_start + n0.days END AS planned) n
WHERE p.planned_start IS NOT NULL
"""


def add_nodes(path: Path) -> int:
    # constants of this file only, never input: formatted into the statement
    values = ", ".join(
        "({}, '{}', {}, {})".format(i, name, f"'{stage}'" if stage else "NULL", days or 0)
        for i, (name, stage, days) in enumerate(NODES, start=1)
    )
    with db.connect(path) as con:
        with db.transaction(con):
            con.execute(_NODES.format(values=values))
        con.execute("CHECKPOINT")
        return con.execute("SELECT count(*) FROM project_nodes").fetchone()[0]


def _ms(fn, runs: int) -> float:
    fn()  # first run: plans and caches of DuckDB
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.nodes")
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--import-rows", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "nodes.duckdb"
        synthetic.build(path, args.projects)
        count = add_nodes(path)
        with db.connect(path, read_only=True) as con:
            pid = con.execute("SELECT min(project_id) FROM project_nodes").fetchone()[0]
            figures = pipeline.figures(con, MONTH)
            timed = {
                "流水线数字（个数与比率）": lambda: pipeline.figures(con, MONTH),
                "应开工/竣工/投产未完成名单": lambda: pipeline.exceptions(con, MONTH),
                "月末超期节点": lambda: states.overdue(con, MONTH),
                "下月到期节点": lambda: states.due_next(con, MONTH),
                "一个项目的节点（项目详情）": lambda: frame.nodes(con, MONTH.end, 15, pid),
                # the optional node rules (off by default): what they add to the month's lights
                # (summary: every light counted) and to the red-flag/warning lists
                "月度亮灯汇总（节点规则关）": lambda: metrics.summary(con, MONTH, preset=OFF),
                "月度亮灯汇总（节点规则开）": lambda: metrics.summary(con, MONTH, preset=ON),
                "红旗/预警（节点规则关）": lambda: evaluation.evaluate(con, MONTH, preset=OFF),
                "红旗/预警（节点规则开）": lambda: evaluation.evaluate(con, MONTH, preset=ON),
            }
            results = {name: _ms(fn, args.runs) for name, fn in timed.items()}
            late = len(states.overdue(con, MONTH))
            sample = con.execute(
                "SELECT p.name, n.name, n.planned + 7 FROM project_nodes n"
                " JOIN projects p ON p.id = n.project_id ORDER BY ALL LIMIT $n",
                {"n": args.import_rows},
            ).fetchall()
        lines = ["项目名称,节点,计划日期,备注"] + [f"{p},{n},{d},改期" for p, n, d in sample]
        data = ("\n".join(lines) + "\n").encode("gbk")
        with db.connect(path) as con:
            start = time.perf_counter()
            prepared = importer.prepare(con, data, "节点.csv")
            prepare_ms = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            batch = importer.commit(con, auth.SYSTEM, prepared)
            commit_ms = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            importer.undo(con, auth.SYSTEM, batch)
            undo_ms = (time.perf_counter() - start) * 1000
    print(f"节点：{args.projects:,} 个项目 × {len(NODES)} 个节点 = {count:,} 个节点，{MONTH}")
    print("　".join(f"{k} {v}" for k, v in figures["counts"].items()) + f"　超期节点 {late:,}")
    for name, ms in results.items():
        print(f"  {name}: {ms:.0f} ms（{args.runs} 次中位数）")
    print(f"  导入节点表 {len(prepared.rows):,} 行（GBK CSV）：检查 {prepare_ms:.0f} ms，"
          f"写入 {commit_ms:.0f} ms，撤销 {undo_ms:.0f} ms")  # fmt: skip
    whole = results["流水线数字（个数与比率）"]
    verdict = "达标" if whole < TARGET_MS else "未达标"
    print(f"流水线数字 {whole:.0f} ms，目标 < {TARGET_MS} ms：{verdict}")
    return 0 if whole < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())

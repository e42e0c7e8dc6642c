"""python -m xzcore nodes overdue|pipeline|import|undo|rule: milestones from the command line.

overdue and pipeline read (at the end of the month given); import, undo and rule (with an
option) write as auth.SYSTEM (an admin), like the other commands: whoever can run them can open
the file anyway.
"""

from __future__ import annotations

import json
from pathlib import Path

from xzcore import auth
from xzcore.display import tables
from xzcore.nodes import importer, pipeline, states, store
from xzcore.period import Month
from xzcore.store import db, settings

HEADERS = {"project": "项目", "unit": "责任单位", "name": "节点", "planned": "计划日期",
           "days": "超期天数", "note": "备注"}  # fmt: skip


def add_commands(sub) -> None:
    p = sub.add_parser("nodes", help="节点（倒排工期）：超期节点、项目推进、导入节点表、撤销导入")
    verbs = p.add_subparsers(dest="verb", required=True)
    q = verbs.add_parser("overdue", help="某月末超期未完成的节点（超期久的在前）")
    q.add_argument("--month", required=True, help="月份 YYYY-MM（按该月最后一天计）")
    q.add_argument("--json", action="store_true")
    q = verbs.add_parser(
        "pipeline", help="签约→开工→竣工→投产：个数、比率（写明分母）与应办未办名单"
    )
    q.add_argument("--month", required=True, help="月份 YYYY-MM")
    q.add_argument("--json", action="store_true")
    q = verbs.add_parser(
        "import", help="导入节点表（CSV、xlsx、xls：项目、节点、计划日期、实际日期、备注）"
    )
    q.add_argument("file")
    q.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    q.add_argument("--user", help="操作人姓名，记入审计日志")
    q = verbs.add_parser("undo", help="撤销一个节点批次（其中的节点之后未被修改时）")
    q.add_argument("batch", type=int)
    q = verbs.add_parser(
        "rule", help="现行亮灯规则的节点选项：节点超期亮灯、节点超期预警（不带选项：只显示）"
    )
    q.add_argument("--light", choices=("on", "off"), help="节点超期计入月度亮灯")
    q.add_argument("--yellow-days", type=int, help="超期几天及以上亮黄灯（默认 1）")
    q.add_argument("--red-days", type=int, help="超期超过几天亮红灯（默认 30）")
    q.add_argument("--warning", choices=("on", "off"), help="节点超期列入预警名单")
    q.add_argument("--warning-days", type=int, help="超期几天及以上列入预警（默认 60）")


_RULE_OPTIONS = {"light": "node_rule", "yellow_days": "node_yellow_days",
                 "red_days": "node_red_days", "warning": "node_warning",
                 "warning_days": "node_warning_days"}  # fmt: skip


def _rule_changes(args) -> dict:
    given = {key: getattr(args, opt, None) for opt, key in _RULE_OPTIONS.items()}
    return {k: v == "on" if v in ("on", "off") else v for k, v in given.items() if v is not None}


def run(args, path: Path) -> int:
    writes = (args.verb in ("import", "undo") and not getattr(args, "dry_run", False)) or (
        args.verb == "rule" and bool(_rule_changes(args))
    )
    con = db.connect(path, read_only=not writes)
    try:
        if args.verb == "overdue":
            return _overdue(con, Month.parse(args.month), args.json)
        if args.verb == "pipeline":
            return _pipeline(con, Month.parse(args.month), args.json)
        if args.verb == "undo":
            gone = importer.undo(con, auth.SYSTEM, args.batch)
            print(f"已撤销节点批次 {args.batch}：恢复 {gone} 个节点")
            return 0
        if args.verb == "rule":
            return _rule(con, _rule_changes(args))
        return _import(con, args)
    finally:
        con.close()


def _rule(con, changes: dict) -> int:
    """Turn the node options of the preset in force on or off, keeping its other thresholds
    (audited as the admin's threshold changes are); without changes, say what they are."""
    preset = settings.preset(con)
    if changes:
        preset = settings.set_thresholds(
            con, preset.name, preset.thresholds() | changes, actor=auth.SYSTEM
        )
    print(f"{preset.title}：{preset.node_text()}；{preset.node_warning_text()}")
    return 0


def _overdue(con, month: Month, as_json: bool) -> int:
    table = states.overdue(con, month, store.settings(con).due_soon)
    if as_json:
        print(json.dumps(_records(table), ensure_ascii=False, indent=2, default=str))
        return 0
    print(f"截至{month.end:%Y-%m-%d}，超期未完成的节点 {len(table)} 个")
    # given(): a node of a project without 责任单位 has NaN for its unit (pandas 3), not None
    for row in table.itertuples():
        new = "（本月到期）" if row.new else ""
        print(f"{row.project}　{row.name}　计划{row.planned:%Y-%m-%d}　超期{int(row.days)}天"
              f"{new}　{tables.given(row.unit) or ''}")  # fmt: skip
    return 0


def _records(table) -> list[dict]:
    """Rows for JSON: dates as YYYY-MM-DD, missing values as null."""
    table = table.copy()
    for column in table.columns:
        if str(table[column].dtype).startswith("datetime64"):
            table[column] = table[column].dt.date
    return table.astype(object).where(table.notna(), None).to_dict("records")


def _pipeline(con, month: Month, as_json: bool) -> int:
    figures = pipeline.figures(con, month)
    lists = pipeline.exceptions(con, month)
    if as_json:
        out = figures | {k: _records(v) for k, v in lists.items()}
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return 0
    counts = "，".join(f"{k} {v} 个" for k, v in figures["counts"].items())
    print(f"截至{month.end:%Y-%m-%d}：{counts}")
    for rate in figures["rates"].values():
        shown = "—" if rate["rate"] is None else f"{rate['rate'] * 100:.1f}%"
        print(f"{rate['name']} {shown}（{rate['words']}）")
    for kind, table in lists.items():
        print(f"{kind} {len(table)} 个")
        for row in table.itertuples():
            unit = tables.given(row.unit) or "（未填）"  # as in _overdue
            print(f"  {unit}　{row.project}　计划{row.planned:%Y-%m-%d}　已过{int(row.days)}天")
    return 0


def _import(con, args) -> int:
    from xzcore.cli.imports import import_list

    return import_list(con, importer, args, "节点")

"""python -m xzcore …: a thin command line over the library (errors: one Chinese line, exit ≠ 0)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

from xzcore import cycle, demo
from xzcore.cli import backup as cli_backup
from xzcore.cli import cycle as cli_cycle
from xzcore.cli import imports as cli_ingest
from xzcore.cli import nodes as nodes_cli
from xzcore.cli import problems as problems_cli
from xzcore.cli import report as report_command
from xzcore.cli import users as cli_users
from xzcore.display import fmt, tables
from xzcore.errors import UnknownMonth, XZError
from xzcore.figures import evaluation, metrics
from xzcore.figures.metrics import GROUPINGS
from xzcore.period import Month
from xzcore.rules import PRESETS, SCHEDULE_MODES
from xzcore.store import db, faults

DEMO_DIR = Path("data/demo")
MONTH_HELP = "报告月份 YYYY-MM（默认：最新已发布的月份；收集中的月份须指定，输出首行注明未发布）"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m xzcore", description="秀洲区重点项目看板命令行"
    )
    parser.add_argument("--db", help="数据库文件（默认 $XZ_DB 或 data/xiuzhou.duckdb）")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="新建空数据库（已存在则只补迁移）")
    p = sub.add_parser("demo", help="用 data/demo 的示例数据重建数据库")
    p.add_argument(
        "--regenerate", action="store_true", help="先按固定种子重新生成 data/demo 的 CSV"
    )
    p = sub.add_parser("summary", help="某月投资完成汇总")
    p.add_argument("--month", help=MONTH_HELP)
    p.add_argument("--by", choices=[g for g in GROUPINGS if g != "all"])
    p.add_argument("--schedule", choices=list(SCHEDULE_MODES))
    p.add_argument("--preset", choices=list(PRESETS))
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("lights", help="某月各项目亮灯及原因")
    p.add_argument("--month", help=MONTH_HELP)
    p.add_argument("--preset", choices=list(PRESETS))
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("evaluate", help="红旗项目与预警（蜗牛）项目")
    p.add_argument("--month", help=MONTH_HELP)
    p.add_argument("--quarter", action="store_true", help="按季度评选（截至最近一个完整季度）")
    p.add_argument("--json", action="store_true")
    cli_ingest.add_commands(sub)
    report_command.add_command(sub)
    cli_users.add_commands(sub)
    cli_cycle.add_commands(sub)
    problems_cli.add_commands(sub)
    nodes_cli.add_commands(sub)
    cli_backup.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except XZError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and cut short: not an error of ours
        sys.stderr.close()
        return 0
    except duckdb.Error as exc:
        first = db.shown(str(exc).splitlines()[0]) if str(exc) else type(exc).__name__
        print(f"错误：{faults.explain(exc) or '数据库操作失败'}（{first}）", file=sys.stderr)
        return 1


_GROUPS = (
    (cli_ingest, ("import", "batches", "undo")),
    (report_command, ("report",)),
    (cli_users, ("users",)),
    (cli_cycle, cli_cycle.COMMANDS),
    (problems_cli, ("problems",)),
    (nodes_cli, ("nodes",)),
    (cli_backup, cli_backup.COMMANDS),
)


def _run(args) -> int:
    path = db.db_path(args.db)
    if args.command == "init":
        db.connect(path, create=True).close()
        print(f"已初始化数据库 {db.shown(path)}")
        return 0
    if args.command == "demo":
        if args.regenerate:
            demo.generate(DEMO_DIR)
        demo.build(path, DEMO_DIR)
        print(f"已用示例数据重建数据库 {db.shown(path)}")
        return 0
    for group, commands in _GROUPS:  # each module of commands runs its own
        if args.command in commands:
            return group.run(args, path)
    con = db.connect(path, read_only=True)
    try:
        month = chosen_month(con, args.month)
        state = month_state(con, month)
        if state["banner"] and not args.json:
            print(f"{month} {state['banner']}")  # first: never taken for published figures
        handler = {"summary": _summary, "lights": _lights, "evaluate": _evaluate}[args.command]
        # a published month is read as published: its frozen copy (cycle.months.reader)
        handler(cycle.months.reader(con, month), month, args, state)
    finally:
        con.close()
    return 0


def chosen_month(con, asked: str | None) -> Month:
    """The month asked for, or the newest published one (what leaders and the bulletin show)."""
    if asked:
        return Month.parse(asked)
    found = cycle.months.default_month(con, None)
    if found is None:
        raise UnknownMonth("还没有已发布的月份；请用 --month 指定月份（收集中的月份也可以）")
    return found


def month_state(con, month: Month) -> dict:
    """{"state": 已发布 | 收集中 | None, "banner": 未发布（…） or None, "version": n or None}."""
    state = cycle.months.state(con, month)
    latest = cycle.months.latest(con, month)
    banner = cycle.months.banner(con, month) if state == cycle.COLLECTING else None
    return {"state": state, "banner": banner, "version": latest.version if latest else None}


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


_GROUP_KEYS = (
    "key",
    "projects",
    "plan_wan",
    "completed_wan",
    "completion_rate",
    "lag_pp",
    "lights",
)


def _summary(con, month, args, state: dict) -> None:
    result = metrics.summary(
        con, month, by=args.by, schedule_mode=args.schedule, preset=args.preset
    )
    groups = [{k: g[k] for k in _GROUP_KEYS} for g in result["groups"].get(args.by, [])]
    if args.json:
        _print_json(state | result | {"groups": groups})
        return
    lights = result["lights"]
    print(f"{month.label}  时序进度口径：{SCHEDULE_MODES[result['schedule_mode']]}")
    print(
        f"项目 {result['projects']} 个，已开工 {result['started']} 个（开工率 "
        f"{fmt.percent(result['start_rate'])}）；年度计划 {fmt.money(result['plan_wan'])}，"
        f"累计完成 {fmt.money(result['completed_wan'])}，完成率 "
        f"{fmt.percent(result['completion_rate'])}，时序进度 "
        f"{fmt.percent(result['schedule_progress'])}，{fmt.pp(result['lag_pp'])}"
    )
    print(f"亮灯：绿 {lights['green']}  黄 {lights['yellow']}  红 {lights['red']}")
    for g in groups:
        print(
            f"  {tables.group_name(g['key'])}: {g['projects']}个  计划{fmt.money(g['plan_wan'])}  "
            f"完成{fmt.money(g['completed_wan'])}  {fmt.percent(g['completion_rate'])}  "
            f"{fmt.pp(g['lag_pp'])}  绿{g['lights']['green']} 黄{g['lights']['yellow']} "
            f"红{g['lights']['red']}"
        )


_PROJECT_KEYS = ["code", "name", "unit", "light", "completion_rate", "lag_pp", "reason"]
NO_UNIT = "未填责任单位"  # as the bulletin's correction names such a project


def _lights(con, month, args, state: dict) -> None:
    # records: None for a missing code, unit or rate, where pandas 3 has NaN, which printed
    # "nan" and made --json write NaN (no JSON)
    rows = tables.records(metrics.lights(con, month, preset=args.preset)[_PROJECT_KEYS])
    if args.json:
        _print_json({"month": str(month)} | state | {"projects": rows})
        return
    for row in rows:
        print(
            f"{fmt.light(row['light'])}  {row['code'] or ''}  {row['name']}"
            f"（{row['unit'] or NO_UNIT}）：{row['reason']}"
        )


def _evaluate(con, month, args, state: dict) -> None:
    result = evaluation.evaluate(con, month, quarterly=args.quarter)
    keys = [*_PROJECT_KEYS, "rule"]
    red_flags = tables.records(result["red_flags"][keys])  # None, not NaN: as _lights
    warnings = tables.records(result["warnings"][keys])
    if args.json:
        _print_json(
            {k: result[k] for k in ("round", "as_of", "label", "preset", "schedule_mode")}
            | state
            | {"red_flags": red_flags, "warnings": warnings}
        )
        return
    print(f"{result['label']}评选（截至 {result['as_of']}）")
    print(f"红旗项目（{result['red_flag_rule']}）：")
    for i, row in enumerate(red_flags, 1):
        print(
            f"  {i}. {row['name']}（{row['unit'] or NO_UNIT}）"
            f"{fmt.percent(row['completion_rate'])} {fmt.pp(row['lag_pp'])}"
        )
    print("预警（蜗牛）项目：")
    for i, row in enumerate(warnings, 1):
        print(
            f"  {i}. {row['name']}（{row['unit'] or NO_UNIT}）{fmt.pp(row['lag_pp'])}："
            f"{row['rule']}"
        )

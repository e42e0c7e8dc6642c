"""python -m xzcore problems list|export|agenda|import|undo: the ledger from the command line.

list and export read (overdue first, with the colour and why as of today), agenda writes the
待协调问题清单 for a meeting as PDF or Excel; import and undo
write as auth.SYSTEM (an admin), like the other commands: whoever can run them can open the
file anyway.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pandas as pd

from xzcore import auth
from xzcore.display import csvout
from xzcore.problems import importer, ledger
from xzcore.report import problems_meeting
from xzcore.store import db

# the ledger's columns as the CSV names them, in order
HEADERS = {
    "id": "编号", "colour": "督办", "colour_reason": "督办原因", "state": "状态",
    "project": "项目", "category": "类型", "description": "问题描述", "request": "需协调事项",
    "lead_unit": "主办单位", "support_units": "协办单位", "leader": "协调区领导",
    "source": "来源", "raised_on": "提出日期", "due_on": "办结时限", "closure": "办结方式",
    "closed_at": "销号时间",
}  # fmt: skip


def add_commands(sub) -> None:
    p = sub.add_parser("problems", help="问题督办：列出、导出、导入问题台账、撤销导入")
    verbs = p.add_subparsers(dest="verb", required=True)
    for verb, text in (("list", "列出问题（逾期的在前）"), ("export", "导出问题台账 CSV")):
        q = verbs.add_parser(verb, help=text)
        q.add_argument("--overdue", action="store_true", help="只列逾期未办结的（红色督办）")
        q.add_argument("--unit", action="append", help="主办或协办单位（可重复）")
        q.add_argument("--leader", action="append", help="协调区领导（可重复）")
        q.add_argument("--json", action="store_true",
                       help="JSON（list：代替文字；export：代替 CSV，UTF-8）")  # fmt: skip
        if verb == "export":
            q.add_argument("-o", "--output", help="CSV 文件（默认写到标准输出）")
    q = verbs.add_parser("agenda", help="待协调问题清单（会议用）：PDF 或 Excel")
    whose = q.add_mutually_exclusive_group()
    whose.add_argument("--leader", help="只列这位协调区领导的问题")
    whose.add_argument("--unit", help="只列这个单位主办或协办的问题")
    q.add_argument(
        "--format", choices=list(problems_meeting.FORMATS), default="pdf", help="pdf（默认）或 xlsx"
    )
    q.add_argument("-o", "--output", required=True, metavar="PATH", help="输出文件")
    q = verbs.add_parser("import", help="导入问题台账（CSV、xlsx、xls），一个批次")
    q.add_argument("file")
    q.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    q.add_argument("--user", help="操作人姓名，记入审计日志")
    q = verbs.add_parser("undo", help="撤销一个问题台账批次（其中的问题尚无办理记录时）")
    q.add_argument("batch", type=int)


def run(args, path: Path, today: dt.date | None = None) -> int:
    writes = args.verb in ("import", "undo") and not getattr(args, "dry_run", False)
    con = db.connect(path, read_only=not writes)
    try:
        if args.verb in ("list", "export"):
            return _read(con, args, today or dt.date.today())
        if args.verb == "agenda":
            table = problems_meeting.agenda(con, today or dt.date.today(), leader=args.leader,
                                   unit=args.unit)  # fmt: skip
            con.close()  # read: the file is free again before the slow part, rendering
            return _agenda(table, args)
        if args.verb == "undo":
            gone = importer.undo(con, auth.SYSTEM, args.batch)
            print(f"已撤销问题台账批次 {args.batch}：删除 {gone} 个问题")
            return 0
        return _import(con, args)
    finally:
        con.close()


def _read(con, args, today: dt.date) -> int:
    table = ledger.ledger(con, today, unit=args.unit, leader=args.leader,
                          colour="红" if args.overdue else None)  # fmt: skip
    shown = table[list(HEADERS)].copy()
    shown["support_units"] = shown["support_units"].map("、".join)
    if args.verb == "export":
        data = (
            _json(shown).encode("utf-8") + b"\n"
            if args.json
            else csvout.csv_bytes(shown.rename(columns=HEADERS))
        )
        if args.output:
            Path(args.output).write_bytes(data)
            print(f"已导出 {len(shown)} 个问题到 {args.output}")
        else:
            sys.stdout.buffer.write(data)
        return 0
    if args.json:
        print(_json(shown))
        return 0
    whole = ledger.totals(table)
    rate = "—" if whole["rate"] is None else f"{whole['rate'] * 100:.1f}%"
    print(f"问题 {whole['raised']} 个，已办结 {whole['closed']} 个，办结率 {rate}，"
          f"逾期未办结 {whole['overdue']} 个（截至 {today}）")  # fmt: skip
    for row in shown.itertuples():
        colour = f"[{row.colour}] " if row.colour else ""
        due = "" if pd.isna(row.due_on) else f" 时限{row.due_on:%Y-%m-%d}"
        why = f"（{row.colour_reason}）" if row.colour_reason else ""
        print(f"#{row.id} {colour}{row.state} {row.lead_unit or ledger.NOT_ASSIGNED}{due}"
              f" {row.description}{why}")  # fmt: skip
    return 0


def _json(shown: pd.DataFrame) -> str:
    records = shown.astype(object).where(shown.notna(), None).to_dict("records")
    return json.dumps(records, ensure_ascii=False, indent=2, default=str)


def _agenda(table, args) -> int:
    whose = args.leader or args.unit
    if whose and not table.rows:  # a name mistyped would otherwise give an empty list
        print(f"{whose} 没有未办结问题，未生成文件（名称须与台账中的写法一致）")
        return 1
    # as the bulletin's files: checked writable before the rendering, then written whole
    from xzcore.cli.report import _check, _write

    out = Path(args.output)
    _check(out, args.format)
    _write(out, problems_meeting.agenda_file(table, args.format))
    print(f"已生成待协调问题清单（{whose or '全部'}）：{len(table.rows)} 个未办结问题，"
          f"{problems_meeting.FORMATS[args.format]}：{out}")  # fmt: skip
    return 0


def _import(con, args) -> int:
    from xzcore.cli.imports import import_list

    return import_list(con, importer, args, "问题")

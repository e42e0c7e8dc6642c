"""python -m xzcore months / publish / status / remind: the monthly cycle from the command line.

The command line acts as auth.SYSTEM (an admin): whoever can run it can open the file anyway.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from xzcore import auth, cycle
from xzcore.period import Month
from xzcore.store import db

COMMANDS = ("months", "publish", "status", "remind")


def add_commands(sub) -> None:
    p = sub.add_parser("months", help="各月状态（收集中/已发布、版本、报送数）")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("publish", help="发布某月（冻结当月数据、亮灯和名单）")
    p.add_argument("--month", required=True)
    p.add_argument("--reason", help="发布说明（如为何在单位未报齐时发布），随版本保存")
    p.add_argument("--user", default=None, help="操作人姓名，记入审计日志")
    p = sub.add_parser("status", help="某月各单位报送情况")
    p.add_argument("--month", help="默认：正在收集的月份")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("remind", help="某月催报文字（可复制到工作群）")
    p.add_argument("--month", help="默认：正在收集的月份")
    p.add_argument("--unit", help="只催这个单位")


def _user(args) -> auth.User:
    name = getattr(args, "user", None)
    return dataclasses.replace(auth.SYSTEM, display_name=name) if name else auth.SYSTEM


def _month(con, args) -> Month:
    if args.month:
        return Month.parse(args.month)
    due = cycle.months.due(con)
    if due is None:
        raise cycle.PublishRefused("没有正在收集的月份，请用 --month 指定")
    return due


def run(args, path: Path) -> int:
    con = db.connect(path, read_only=args.command != "publish")
    try:
        if args.command == "publish":
            version = cycle.publish.publish(
                con, _user(args), Month.parse(args.month), reason=args.reason
            )
            print(
                f"已发布 {version.period}（第 {version.version} 版）："
                f"已报送 {version.reported}/{version.projects} 个项目"
            )
        elif args.command == "months":
            _months(con, args.json)
        elif args.command == "status":
            _status(con, _month(con, args), args.json)
        else:
            print(cycle.status.remind(con, _month(con, args), args.unit))
    finally:
        con.close()
    return 0


def _months(con, as_json: bool) -> None:
    rows = []
    published = {v.period: v for v in cycle.months.versions(con)}  # the latest of each
    for month in sorted(set(published) | set(cycle.months.collecting(con))):
        counts = cycle.months.counts(con, month)
        done = published.get(month)
        rows.append(
            {"month": str(month), "state": cycle.PUBLISHED if done else cycle.COLLECTING,
             "version": done.version if done else None,
             "published_at": done.published_at if done else None,
             "reported": counts["reported"], "projects": counts["projects"],
             "units_reported": counts["units_reported"], "units": counts["units"]}
        )  # fmt: skip
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    if not rows:
        print("还没有任何月报")
    for r in rows:
        when = f"第 {r['version']} 版，{r['published_at']:%Y-%m-%d %H:%M}" if r["version"] else ""
        print(
            f"{r['month']}  {r['state']}{('（' + when + '）') if when else ''}  已报送"
            f" {r['reported']}/{r['projects']} 个项目，{r['units_reported']}/{r['units']} 个单位"
        )


def _status(con, month: Month, as_json: bool) -> None:
    table = cycle.status.units(con, month)
    due = cycle.status.deadline(con, month)
    if as_json:
        rows = table.to_dict("records")
        print(json.dumps({"month": str(month), "deadline": due, "units": rows},
                         ensure_ascii=False, indent=2, default=str))  # fmt: skip
        return
    print(f"{month} 报送情况（截止 {cycle.status.deadline_text(due)}）")
    for row in table.itertuples():
        late = "，逾期" if row.overdue else ""
        reason = f"，退回原因：{row.review_reason}" if row.review_reason else ""
        print(f"  {row.unit}：{row.state} {row.reported}/{row.projects}{late}{reason}")

"""python -m xzcore import / batches / undo: uploads from the command line, same report as the page.

Exit codes of import: 0 committed (or a clean dry run), 1 validation failed (nothing written),
2 unusable input (not a table, unreadable file).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from xzcore import auth, db, ingest
from xzcore.ingest import KINDS, LABELS
from xzcore.period import Month


def add_commands(sub) -> None:
    p = sub.add_parser("import", help="导入项目计划表或月度进展月报（CSV、xlsx、xls）")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--month", help="报告月份 YYYY-MM（文件中的月份不一致或缺失时必填）")
    p.add_argument("--sheet", help="工作表名称（默认自动寻找含表头的工作表）")
    p.add_argument("--dry-run", action="store_true", help="只检查、预览，不写入")
    p.add_argument("--accept-warnings", action="store_true", help="确认警告并导入")
    p.add_argument("--user", default=None, help="上传人姓名，记入审计日志（默认当前系统用户）")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("batches", help="上传历史")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("undo", help="撤销一个上传批次")
    p.add_argument("batch", type=int, metavar="BATCH_ID")
    p.add_argument("--user", default=None, help="操作人姓名，记入审计日志")


def _user(args) -> auth.User:
    """The command line acts as auth.SYSTEM; --user only names the person in the audit log."""
    if args.user:
        return dataclasses.replace(auth.SYSTEM, display_name=args.user)
    return auth.SYSTEM


def run(args, path: Path) -> int:
    if args.command == "batches":
        con = db.connect(path, read_only=True)
        try:
            _batches(con, args.json)
        finally:
            con.close()
        return 0
    con = db.connect(path)
    try:
        if args.command == "undo":
            ingest.undo(con, args.batch, _user(args))
            print(f"已撤销批次#{args.batch}")
            return 0
        return _import(con, args)
    finally:
        con.close()


def _import(con, args) -> int:
    month = Month.parse(args.month) if args.month else None
    reports = []
    code = 0
    for name in args.files:
        report, code = _import_one(con, Path(name), month, args)
        reports.append(report)
        if not args.json:
            _print_report(report)
        if code:
            break  # later files may build on this one (a register before its reports)
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2, default=str))
    return code


def _import_one(con, path: Path, month, args) -> tuple[dict, int]:
    report = {"file": str(path), "committed": False, "batch": None}
    try:
        data = path.read_bytes()
    except OSError as exc:
        return report | {"errors": [{"message": f"无法读取文件：{exc.strerror}"}]}, 2
    try:
        preview = ingest.prepare(con, data, path.name, month, args.sheet, user=_user(args))
    except ingest.UnreadableFile as exc:
        return report | {"errors": [{"message": str(exc)}]}, 2
    report |= describe(preview)
    if preview.errors:
        return report, 1
    if preview.warnings and not args.accept_warnings:
        report["note"] = "有警告：确认无误后加 --accept-warnings 再导入"
        return report, 1
    if not args.dry_run:
        report["batch"] = ingest.commit(con, preview, _user(args), accept_warnings=True)
        report["committed"] = True
    return report, 0


def describe(preview) -> dict:
    """The preview as plain data: what the CLI prints and what --json gives."""
    parsed = preview.parsed
    problems = {
        level: [{"row": p.row, "column": p.column, "message": p.message} for p in items]
        for level, items in (("errors", preview.errors), ("warnings", preview.warnings))
    }
    return {
        "kind": parsed.kind,
        "year": parsed.year,
        "month": parsed.month,
        "sheet": parsed.sheet,
        "header_row": parsed.header_row,
        "columns": {c.header: c.field for c in parsed.columns},
        "ignored": parsed.ignored,
        "counts": preview.counts(),
        "changes": [
            {
                "row": r.row,
                "name": r.name,
                "action": r.action,
                "changes": {f: [old, new] for f, (old, new) in r.changes.items()},
            }
            for r in preview.rows
            if r.action != "unchanged"
        ],
    } | problems


def _print_report(report: dict) -> None:
    print(f"== {report['file']}")
    if report.get("kind"):
        period = f"{report['year']}年" + (f"{report['month']}月" if report.get("month") else "")
        print(f"类型：{KINDS[report['kind']]}　报告期：{period}　工作表：{report['sheet']}"
              f"　表头在第{report['header_row']}行")  # fmt: skip
        mapped = "、".join(f"{h}→{LABELS.get(f, f)}" for h, f in report["columns"].items())
        print(f"列：{mapped}")
        if report["ignored"]:
            print(f"未识别、已忽略的列：{'、'.join(report['ignored'])}")
        c = report["counts"]
        print(f"新增 {c['new']} 行，变更 {c['changed']} 行，不变 {c['unchanged']} 行")
    for level, word in (("errors", "错误"), ("warnings", "警告")):
        for p in report.get(level, []):
            where = (f"第{p['row']}行" if p.get("row") else "") + (
                f"「{p['column']}」" if p.get("column") else "")  # fmt: skip
            print(f"{word}：{where}{'：' if where else ''}{p['message']}")
    if report.get("note"):
        print(report["note"])
    if report["committed"]:
        print(f"已导入，批次#{report['batch']}")


def _batches(con, as_json: bool) -> None:
    rows = ingest.batches(con)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    for b in rows:
        period = f"{b['year']}-{b['month']:02d}" if b["month"] else f"{b['year']}年"
        state = f"已撤销（{b['undone_by']}）" if b["undone_at"] else "有效"
        print(f"#{b['id']}  {KINDS[b['kind']]}  {period}  {b['file_name']}  {b['row_count']}行  "
              f"{b['user_name']}  {b['created_at']:%Y-%m-%d %H:%M}  {state}")  # fmt: skip

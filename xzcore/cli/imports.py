"""python -m xzcore import / batches / undo: uploads from the command line, same report as the page.
A 问题台账 is recognised by its headers and imported as a batch of problems (problems undo); a
node file (项目, 节点, 计划日期, 实际日期 …) as a batch of nodes (nodes undo).

Exit codes of import: 0 committed (or a clean dry run), 1 validation failed or warnings not
accepted with a reason (nothing written), 2 unusable input (not a table, unreadable file, a
--map that names no field or no header of the file).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from xzcore import auth, ingest
from xzcore.errors import BadArgument
from xzcore.ingest import KINDS, LABELS, mappings
from xzcore.ingest.headers import MAPPABLE
from xzcore.period import Month
from xzcore.store import db

PARTS = {"register": "计划表部分", "progress": "月报部分"}


def add_commands(sub) -> None:
    p = sub.add_parser("import", help="导入项目计划表、月度进展月报或问题台账（CSV、xlsx、xls）")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--month", help="报告月份 YYYY-MM（文件中的月份不一致或缺失时必填）")
    p.add_argument("--sheet", help="工作表名称（默认自动寻找含表头的工作表）")
    p.add_argument("--dry-run", action="store_true", help="只检查、预览，不写入")
    p.add_argument(
        "--accept-warnings",
        action="store_true",
        help="确认警告并导入（须同时用 --reason 写明理由）",
    )
    p.add_argument("--reason", help="确认警告的理由（核实性审核），记入批次和审计日志")
    p.add_argument(
        "--convert-yuan", action="store_true", help="疑似按“元”填报的列整列按元换算为万元（÷10000）"
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="表头=字段",
        help="手动指定列：文件中的表头（多行表头用 / 连接）对应的字段键或中文名，或“不使用”；"
        "可重复",
    )
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


def _mapping(given: list[str]) -> dict[str, str]:
    """--map "表头=字段" → {header: field key}; BadArgument names what is wrong."""
    mapping = {}
    for item in given:
        header, sep, field = item.rpartition("=")  # a header may hold "=", a field never does
        if not sep or not header.strip():
            raise BadArgument(f"--map “{item}”应写成“表头=字段”")
        mapping[header.strip()] = mappings.field_key(field)
    return mapping


def _import(con, args) -> int:
    month = Month.parse(args.month) if args.month else None
    try:
        mapping = _mapping(args.map)
    except BadArgument as exc:
        print(f"错误：{exc}")
        return 2
    reports = []
    code = 0
    for name in args.files:
        report, code = _import_one(con, Path(name), month, mapping, args)
        reports.append(report)
        if not args.json:
            _print_report(report)
        if code:
            break  # later files may build on this one (a register before its reports)
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2, default=str))
    return code


def _import_one(con, path: Path, month, mapping: dict, args) -> tuple[dict, int]:
    report = {"file": str(path), "committed": False, "batch": None}
    try:
        data = path.read_bytes()
    except OSError as exc:
        return report | {"errors": [{"message": f"无法读取文件：{exc.strerror}"}]}, 2
    try:
        preview = ingest.prepare(
            con, data, path.name, month, args.sheet, user=_user(args),
            convert_yuan=args.convert_yuan, mapping=mapping or None,
        )  # fmt: skip
    except ingest.UnreadableFile as exc:
        return report | {"errors": [{"message": str(exc)}]}, 2
    except ingest.ProblemLedger as ledger:  # recognised by its headers: the problems' importer
        return _ledger(con, path, data, ledger.sheets, args, report)
    except ingest.NodeFile as found:  # recognised by its headers: the nodes' importer
        return _node_file(con, path, data, found.sheets, args, report)
    report |= describe(preview)
    # A header set aside ("ignore") may be in no list any more: only a field's header is checked.
    missing = [h for h, f in mapping.items() if f != mappings.IGNORE and h not in _headers(preview)]
    if missing:
        shown = "、".join(f"“{h}”" for h in missing)
        report["errors"].insert(0, {"message": f"--map 的表头{shown}不在文件中"})
        return report, 2
    if preview.errors:
        return report, 1
    reason = (args.reason or "").strip()
    if preview.warnings and not args.accept_warnings:
        report["note"] = '有警告：核实无误后加 --accept-warnings --reason "理由" 再导入'
        return report, 1
    if preview.warnings and not reason:
        report["note"] = '确认警告需填写理由：加 --reason "理由"（记入批次和审计日志）'
        return report, 1
    if not args.dry_run:
        # a reason given is kept even without warnings: correcting a published month needs one
        report["batch"] = ingest.commit(
            con, preview, _user(args), accept_warnings=True, reason=reason or None
        )
        report["committed"] = report["batch"] is not None  # None: identical, no empty batch
        report["reason"] = reason or None
        if not report["committed"]:
            report["note"] = "没有变化：与已导入的数据相同，未新建批次"
    return report, 0


def _ledger(con, path: Path, data: bytes, sheets, args, report: dict) -> tuple[dict, int]:
    """A 问题台账: checked, then one batch of problems (undo: problems undo BATCH)."""
    from xzcore.problems import importer

    prepared = importer.prepare(con, data, path.name, sheets=sheets)
    if prepared.same_as is not None and not prepared.errors:
        report["note"] = f"没有变化：这个文件已在问题台账批次 {prepared.same_as} 导入，未重复导入"
    return _prepared(con, importer, prepared, "problems", args, report)


def _node_file(con, path: Path, data: bytes, sheets, args, report: dict) -> tuple[dict, int]:
    """A node file: checked, then one batch of nodes (undo: nodes undo BATCH)."""
    from xzcore.nodes import importer

    try:
        prepared = importer.prepare(con, data, path.name, _user(args), sheets=sheets)
    except BadArgument as exc:  # no node header after all, or too many rows: nothing written
        return report | {"kind": "nodes", "errors": [{"message": str(exc)}]}, 1
    return _prepared(con, importer, prepared, "nodes", args, report)


def _prepared(con, importer, prepared, kind: str, args, report: dict) -> tuple[dict, int]:
    """What a problems' or nodes' importer made of a file, reported; committed as one batch
    unless it has errors, was imported before (a note says so) or this is a --dry-run."""
    report |= {
        "kind": kind,
        "sheet": prepared.sheet,
        "header_row": prepared.header_row,
        "columns": {h: importer.NAMES[f] for f, h in prepared.columns.items()},
        "rows": len(prepared.rows),
        "errors": [{"row": r, "column": c, "message": m} for r, c, m in prepared.errors],
    }
    if prepared.errors:
        return report, 1
    if "note" not in report and not args.dry_run:
        report["batch"] = importer.commit(con, _user(args), prepared)
        report["committed"] = True
    return report, 0


def import_list(con, importer, args, what: str) -> int:
    """`problems import` and `nodes import`: the file checked (each error by row and column on
    standard error, exit 1, nothing written), then one batch; --dry-run only checks. what:
    what a row is (问题, 节点)."""
    name = Path(args.file).name
    prepared = importer.prepare(con, Path(args.file).read_bytes(), name)
    for row, column, message in prepared.errors:
        print(f"第{row}行「{column}」：{message}", file=sys.stderr)
    if prepared.errors:
        print(f"错误：{name} 有 {len(prepared.errors)} 处错误，未导入", file=sys.stderr)
        return 1
    if args.dry_run:
        print(f"{name}：{len(prepared.rows)} 个{what}，检查无误（未写入）")
        return 0
    user = dataclasses.replace(auth.SYSTEM, display_name=args.user) if args.user else auth.SYSTEM
    batch = importer.commit(con, user, prepared)
    print(f"已导入 {name}：{len(prepared.rows)} 个{what}，批次 {batch}")
    return 0


def _headers(preview) -> set[str]:
    """Every header of the file a --map may name: read or unused, in any sheet."""
    found = set()
    for part in preview.parsed.parts:
        found |= {c.header for c in part.columns} | set(part.ignored)
    return found


def _problem(p) -> dict:
    return {
        "sheet": p.sheet,
        "row": p.row,
        "column": p.column,
        "message": p.message,
        "rule": p.rule,
    }


def describe(preview) -> dict:
    """The preview as plain data: what the CLI prints and what --json gives."""
    parsed = preview.parsed
    problems = {
        level: [_problem(p) for p in items]
        for level, items in (
            ("errors", preview.errors),
            ("warnings", preview.warnings),
            ("notes", preview.notes),
        )
    }
    report = {
        "kind": parsed.kind,
        "year": parsed.year,
        "month": parsed.month,
        "sheet": parsed.sheet,
        "header_row": parsed.header_row,
        "columns": {c.header: c.field for c in parsed.columns},
        "ignored": parsed.ignored,
        "parts": [
            {
                "sheet": part.sheet,
                "header_row": part.header_row,
                "header_rows": part.header_rows,
                "layout": part.layout,
                "rows": sum(r.part == i for r in parsed.records),
                "columns": {c.header: c.field for c in part.columns},
                "ignored": part.ignored,
            }
            for i, part in enumerate(parsed.parts)
        ],
        "skipped": [{"sheet": sheet, "reason": why} for sheet, why in parsed.skipped],
        "yuan_columns": preview.yuan_columns,
        "converted": preview.converted,
        "counts": preview.counts(),
        "changes": [
            {
                "row": r.row,
                "sheet": r.sheet,
                "part": r.part,
                "name": r.name,
                "action": r.action,
                "changes": {f: [old, new] for f, (old, new) in r.changes.items()},
            }
            for r in preview.rows
            if r.action != "unchanged"
        ],
    }
    if parsed.kind == "combined":
        report["part_counts"] = {part: preview.counts(part) for part in PARTS}
    return report | problems


def _print_report(report: dict) -> None:
    print(f"== {report['file']}")
    if report.get("kind") in ("problems", "nodes") and "sheet" in report:
        what = "问题台账" if report["kind"] == "problems" else "节点表"
        unit = "个问题" if report["kind"] == "problems" else "个节点"
        print(f"类型：{what}　工作表：{report['sheet']}　表头在第{report['header_row']}行　"
              f"{report['rows']}{unit}")  # fmt: skip
        print(f"  列：{'、'.join(f'{h}→{f}' for h, f in report['columns'].items())}")
    elif report.get("kind"):
        _print_layout(report)
    for level, word in (("errors", "错误"), ("warnings", "警告"), ("notes", "提示")):
        for p in report.get(level, []):
            where = (f"工作表“{p['sheet']}”" if p.get("sheet") else "") + (
                f"第{p['row']}行" if p.get("row") else "") + (
                f"「{p['column']}」" if p.get("column") else "")  # fmt: skip
            print(f"{word}：{where}{'：' if where else ''}{p['message']}")
    if report.get("note"):
        print(report["note"])
    if report["committed"] and report.get("kind") == "problems":
        print(f"已导入问题台账，批次#{report['batch']}（撤销：problems undo {report['batch']}）")
    elif report["committed"] and report.get("kind") == "nodes":
        print(f"已导入节点表，批次#{report['batch']}（撤销：nodes undo {report['batch']}）")
    elif report["committed"]:
        why = f"（确认理由：{report['reason']}）" if report.get("reason") else ""
        print(f"已导入，批次#{report['batch']}{why}")


def _print_layout(report: dict) -> None:
    period = f"{report['year']}年" + (f"{report['month']}月" if report.get("month") else "")
    print(f"类型：{KINDS[report['kind']]}　报告期：{period}")
    if report["kind"] == "combined":
        print("计划表部分（登记信息、年度计划）与月报部分（本月进展）在同一批次导入")
    for part in report["parts"]:
        first = part["header_row"] - part["header_rows"] + 1
        rows = f"第{first}-{part['header_row']}行" if part["header_rows"] > 1 else f"第{first}行"
        print(f"工作表：{part['sheet']}　表头在{rows}　{part['rows']}行数据")
        mapped = "、".join(f"{h}→{_label(f)}" for h, f in part["columns"].items())
        print(f"  列：{mapped}")
        if part["ignored"]:
            print(f"  未识别、已忽略的列：{'、'.join(part['ignored'])}")
    for skipped in report["skipped"]:
        print(f"未读取工作表：{skipped['sheet']}（{skipped['reason']}）")
    if report["converted"]:
        print(f"已按元换算为万元（÷10000）的列：{'、'.join(report['converted'])}")
    elif report["yuan_columns"]:
        print(
            f"疑似按“元”填报的列：{'、'.join(report['yuan_columns'])}（核实后可加 --convert-yuan）"
        )
    counts = report.get("part_counts") or {None: report["counts"]}
    for part, c in counts.items():
        label = f"{PARTS[part]}：" if part else ""
        print(f"{label}新增 {c['new']} 行，变更 {c['changed']} 行，不变 {c['unchanged']} 行")


def _label(field: str) -> str:
    return LABELS.get(field) or MAPPABLE.get(field, field)


def _batches(con, as_json: bool) -> None:
    rows = ingest.batches(con)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    for b in rows:
        period = f"{b['year']}-{b['month']:02d}" if b["month"] else f"{b['year']}年"
        state = f"已撤销（{b['undone_by']}）" if b["undone_at"] else "有效"
        notes = (f"  确认理由：{b['reason']}" if b.get("reason") else "") + (
            f"  按元换算：{'、'.join(b['converted'])}" if b.get("converted") else "")  # fmt: skip
        print(f"#{b['id']}  {KINDS[b['kind']]}  {period}  {b['file_name']}  {b['row_count']}行  "
              f"{b['user_name']}  {b['created_at']:%Y-%m-%d %H:%M}  {state}{notes}")  # fmt: skip

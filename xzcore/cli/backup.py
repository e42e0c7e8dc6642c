"""python -m xzcore backup -o PATH | restore PATH: backups of the DuckDB file (xzcore.store.backup).

A running dashboard holds the file, and DuckDB lets no other process open it meanwhile: the
backup is then made by the dashboard itself (规则设置 → 备份), or here with the dashboard
stopped. A PostgreSQL store is backed up with pg_dump and restored with pg_restore (README).
"""

from __future__ import annotations

from pathlib import Path

from xzcore.errors import DatabaseLocked
from xzcore.store import backup, db, faults, roles

COMMANDS = ("backup", "restore")


def add_commands(sub) -> None:
    p = sub.add_parser("backup", help="备份数据库文件（一个 .zip；看板运行时请在看板上备份）")
    p.add_argument(
        "-o", "--output", required=True, metavar="PATH",
        help="备份文件（.zip），或放备份的文件夹（文件名按时间自动取）",
    )  # fmt: skip
    p = sub.add_parser(
        "restore", help="用备份替换数据库文件（先停看板；原文件改名保留为 .before-restore-时间）"
    )
    p.add_argument("source", metavar="PATH", help="备份文件（.zip）或解压后的文件夹")


def run(args, path) -> int:
    if db.is_postgres(path):
        raise backup.BackupRefused(backup.USE_PG)
    if args.command == "backup":
        return _backup(args, Path(path))
    done = backup.restore(args.source, path, actor=roles.SYSTEM)
    manifest = done["manifest"]
    print(
        f"已用 {args.source} 恢复数据库 {path}（备份于 {manifest['taken_at'].replace('T', ' ')}，"
        f"{len(manifest['tables'])} 张表，{done['rows']:,} 行）"
    )
    if done["previous"] is not None:
        print(f"原数据库文件保存为 {done['previous']}")
    return 0


def _backup(args, path: Path) -> int:
    target = Path(args.output)
    if target.is_dir():
        target = target / backup.default_name()
    try:
        con = db.connect(path)
    except DatabaseLocked:
        raise DatabaseLocked(
            f"数据库 {path} 正被运行中的看板占用，命令行无法打开它：请用管理员账号在看板的"
            "“规则设置”页点“备份”下载备份（看板每天也自动备份，见该页），或先停止看板再运行本命令"
        ) from None
    except db.DatabaseError as exc:
        if faults.kind(exc) != "read_only":
            raise
        con = db.connect(path, read_only=True)  # a file that cannot be written can be copied
    try:
        manifest = backup.backup(con, target, actor=roles.SYSTEM)
    finally:
        con.close()
    rows = sum(t["rows"] for t in manifest["tables"])
    size = target.stat().st_size / 2**20
    print(f"已备份到 {target}（{len(manifest['tables'])} 张表，{rows:,} 行，{size:.1f} MB）")
    return 0

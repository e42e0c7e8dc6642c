"""What a fault of the database file means to the people looking, in one Chinese line.

DuckDB reports a damaged file, a read-only file system or a full disk as IOException,
TransactionException or plain Error with the operating system's words in English; the pages
and the command line show these lines instead, and keep the details for the server's log.
"""

from __future__ import annotations

import errno

import duckdb

from xzcore.errors import DatabaseLocked, DatabaseMissing
from xzcore.store.postgres import UNREACHABLE, DatabaseUnreachable

CORRUPT = "数据库文件损坏或无法读取，请联系管理员（可从备份恢复）"
READ_ONLY = "数据库只读：数据可以查看，但不能上传、撤销、发布或修改设置，请联系管理员"
DISK_FULL = "磁盘已满：数据库无法写入，请联系管理员清理磁盘空间"
NEWER = (
    "数据库文件由更新版本的程序写入，本版本无法读取：请管理员从备份恢复（见说明文档“备份与恢复”）"
)

MESSAGES = {
    "corrupt": CORRUPT,
    "read_only": READ_ONLY,
    "disk_full": DISK_FULL,
    "newer": NEWER,
    "unreachable": UNREACHABLE,
}

# The operating system's and DuckDB's own words for each kind, lower-cased.
_WORDS = {
    "newer": ("trying to read a database file with version number",),
    # PostgreSQL down or restarting (its text names the server, password included: never shown)
    "unreachable": (
        "unable to connect to postgres",
        "server closed the connection unexpectedly",
        "terminating connection due to administrator command",
        "could not connect to server",
        "no connection to the server",
    ),
    "disk_full": ("no space left on device", "disk quota exceeded", "file too large"),
    "read_only": (
        "read-only file system",
        "permission denied",
        "read-only mode",
        "attached in read-only",
        "operation not permitted",
    ),
    "corrupt": (
        "could not read enough bytes",
        "not a valid duckdb database",
        "corrupt",
        "checksum",
        "database has been invalidated",
        "failed to read database header",
        "serialization error",
    ),
}
_ERRNOS = {
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.EFBIG: "disk_full",
    errno.EROFS: "read_only",
    errno.EACCES: "read_only",
    errno.EPERM: "read_only",
}


def _chain(exc: BaseException):
    """The exception and every one it was raised from or during, innermost last."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def kind(exc: BaseException) -> str | None:
    """corrupt, read_only or disk_full when exc (or what caused it) is a fault of the database
    file or its disk; None for anything else, which is a bug to be seen, not hidden."""
    for link in _chain(exc):
        if isinstance(link, OSError) and link.errno in _ERRNOS:
            return _ERRNOS[link.errno]
        if isinstance(link, duckdb.Error | OSError):
            text = str(link).lower()
            for name, words in _WORDS.items():
                if any(w in text for w in words):
                    return name
    return None


def explain(exc: BaseException) -> str | None:
    """The Chinese line for a fault of the database (its file missing or held by another
    process included); None when exc is not one."""
    for link in _chain(exc):
        if isinstance(link, DatabaseLocked | DatabaseMissing | DatabaseUnreachable):
            return str(link)
    found = kind(exc)
    return MESSAGES[found] if found else None

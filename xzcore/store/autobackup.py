"""每日自动备份 of the file store, made by the process that holds the file (the dashboard).

While the dashboard runs, DuckDB lets no other process open its file: neither cron nor the
command line can back it up then. So the dashboard does, in a thread of its own, once a day at a
set time (and at once when it starts after a time that passed without one), into a folder
where the newest backups are kept and older ones removed. A PostgreSQL
store is not backed up here (pg_dump, README).

Set through the environment of the dashboard's process:
- XZ_BACKUP_TIME: when, "HH:MM" in the server's local time (default 02:00); "off" for none;
- XZ_BACKUP_KEEP: how many automatic backups to keep (default 14: two weeks);
- XZ_BACKUP_DIR: where (default the folder 备份 beside the database file).
Only files named as this module names them are ever removed from that folder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

from xzcore.errors import BadArgument
from xzcore.store import backup, roles

logger = logging.getLogger(__name__)

DEFAULT_TIME = dt.time(2, 0)
DEFAULT_KEEP = 14
FOLDER = "备份"
OFF = ("off", "关")
# the actor of the audit log's entry: the dashboard's own process, trusted as the CLI is
ACTOR = roles.User("system:backup", "自动备份", "admin", source="cli")
_NAMED = re.compile(r"xiuzhou-backup-(\d{8}-\d{6})\.zip")


@dataclasses.dataclass(frozen=True)
class Plan:
    at: dt.time | None  # None: no automatic backups
    keep: int
    folder: Path


def plan(store: str | os.PathLike) -> Plan:
    """The schedule in force for the database file `store`, from the environment."""
    text = os.environ.get("XZ_BACKUP_TIME", "").strip()
    at = None if text.lower() in OFF else _time(text) if text else DEFAULT_TIME
    keep_text = os.environ.get("XZ_BACKUP_KEEP", "").strip()
    if keep_text and not (keep_text.isdigit() and int(keep_text) >= 1):
        raise BadArgument(f"环境变量 XZ_BACKUP_KEEP 应为正整数（保留几份），现为“{keep_text}”")
    keep = int(keep_text) if keep_text else DEFAULT_KEEP
    folder = os.environ.get("XZ_BACKUP_DIR", "").strip()
    return Plan(at, keep, Path(folder) if folder else default_folder(store))


def default_folder(store: str | os.PathLike) -> Path:
    """The default folder: 备份 beside the database file."""
    return Path(store).parent / FOLDER


def _time(text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise BadArgument(
            f"环境变量 XZ_BACKUP_TIME 应为每天备份的时刻（如 02:00），或 off 关闭，现为“{text}”"
        ) from None


def next_run(now: dt.datetime, at: dt.time) -> dt.datetime:
    """The first moment at `at` after now (today's, or tomorrow's once today's has passed)."""
    today = dt.datetime.combine(now.date(), at)
    return today if today > now else today + dt.timedelta(days=1)


def due(now: dt.datetime, schedule: Plan) -> bool:
    """Whether the latest moment at the plan's time has no backup taken since: the one of a
    dashboard that was stopped then (or started since) is made at once, as anacron would."""
    found = made(schedule.folder)
    last = next_run(now, schedule.at) - dt.timedelta(days=1)
    return not found or found[-1][0] < last


def made(folder: Path) -> list[tuple[dt.datetime, Path]]:
    """The automatic backups in folder, oldest first, with the time each was taken."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if (match := _NAMED.fullmatch(path.name)) and path.is_file():
            found.append((dt.datetime.strptime(match[1], "%Y%m%d-%H%M%S"), path))
    return sorted(found)


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` automatic backups; the paths removed."""
    gone = [path for _, path in made(folder)[:-keep]]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def run(con, schedule: Plan, now: dt.datetime | None = None) -> dict:
    """One automatic backup into the plan's folder (made if missing), then the old ones
    removed. Returns the backup's manifest."""
    schedule.folder.mkdir(parents=True, exist_ok=True)
    target = schedule.folder / backup.default_name(now)
    manifest = backup.backup(con, target, actor=ACTOR)
    gone = prune(schedule.folder, schedule.keep)
    logger.info("自动备份：%s（删去较早的 %d 份）", target, len(gone))
    return manifest


class Scheduler:
    """The daily backup in a daemon thread: a backup when one is due (at once, if the last
    time passed without one), then sleep until the plan's time. It takes a cursor from
    connect(). A failed backup is logged and tried again at the next time; the thread never
    ends on an error."""

    def __init__(self, schedule: Plan, connect: Callable[[], object]):
        self.plan, self._connect = schedule, connect
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="xz-autobackup", daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while True:
            try:
                if due(dt.datetime.now(), self.plan):
                    with self._connect() as con:
                        run(con, self.plan)
            except Exception:  # the disk, the folder, the database: said in the log
                logger.exception("自动备份失败，到下一个备份时刻再试")
            now = dt.datetime.now()
            if self._stop.wait((next_run(now, self.plan.at) - now).total_seconds()):
                return

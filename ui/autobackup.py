"""The dashboard's daily backup (xzcore.store.autobackup): started by the first run of any page
in a server process (Streamlit has no hook at the server's start), said on 规则设置."""

from __future__ import annotations

import logging

import streamlit as st

from ui import data
from xzcore.errors import BadArgument
from xzcore.store import autobackup, db

logger = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def _scheduler(path: str) -> autobackup.Scheduler | None:
    schedule = autobackup.plan(path)
    if schedule.at is None:
        return None
    logger.info("自动备份：每天 %s 备份到 %s", schedule.at, schedule.folder)
    return autobackup.Scheduler(schedule, lambda: data.connection(path).cursor()).start()


def start() -> None:
    """Once per process and database file; a bad setting is logged and said on 规则设置."""
    path = db.db_path()
    if db.is_postgres(path):
        return
    try:
        _scheduler(str(path))
    except BadArgument as exc:
        logger.error("自动备份未启动：%s", exc)


def said() -> str:
    """The schedule and the newest automatic backup, in a sentence for the admin."""
    path = db.db_path()
    try:
        schedule = autobackup.plan(path)
    except BadArgument as exc:
        return f"自动备份未启动，设置有误：{exc}。"
    if schedule.at is None:
        return "自动备份已关闭。"
    default = schedule.folder == autobackup.default_folder(path)
    where = "数据库文件旁的“备份”文件夹" if default else "服务器上设定的备份文件夹"
    text = f"自动备份：每天 {schedule.at:%H:%M} 存到{where}，保留最近 {schedule.keep} 份；"
    try:
        found = autobackup.made(schedule.folder)
    except OSError as exc:  # the folder cannot be read by the dashboard's user
        return text + f"备份文件夹无法读取（{exc.strerror or exc}），请管理员检查。"
    if not found:
        return text + "还没有自动备份。"
    taken, newest = found[-1]
    return text + f"最近一次 {taken:%Y-%m-%d %H:%M}（{newest.stat().st_size / 2**20:.1f} MB）。"

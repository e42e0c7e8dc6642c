"""备份 on the admin's 规则设置 page: the backup is made by this server process, which holds the
database file (no other process may open it while the dashboard runs), and handed out as a
download. Restoring needs the dashboard stopped: the command line does it (README)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from ui import autobackup, data
from xzcore import auth
from xzcore.store import backup, db


def section(actor: auth.User) -> None:
    with st.container(border=True):
        st.markdown("**备份数据库**")
        if db.is_postgres(db.db_path()):
            st.caption(backup.PG_TOOLS + "。")
            return
        st.caption(
            "一个 .zip 文件，含全部数据（已发布月份的冻结数据、账号与审计日志在内），备份时其他"
            "操作稍候。恢复要先停止看板，再由管理员在服务器上用命令行恢复（见说明文档“备份与恢复”）。"
        )
        st.caption(autobackup.said())
        made = None
        if st.button("备份", icon=":material/backup:", key="backup"):
            made = data.attempt(_make, actor)
        # offered on this run only: the bytes are not kept in the session for later runs
        if made is not None and made is not data.REFUSED:
            name, content, manifest = made
            rows = sum(t["rows"] for t in manifest["tables"])
            st.success(
                f"已备份：{len(manifest['tables'])} 张表，{rows:,} 行，"
                f"{len(content) / 2**20:.1f} MB。请点“下载备份”保存。",
                icon=":material/check_circle:",
            )
            st.download_button(
                "下载备份", content, file_name=name, mime="application/zip",
                icon=":material/download:", on_click="ignore", key="backup_download",
            )  # fmt: skip


def _make(con, actor: auth.User) -> tuple[str, bytes, dict]:
    name = backup.default_name()
    with tempfile.TemporaryDirectory(prefix="xzbackup-") as folder:
        target = Path(folder) / name
        manifest = backup.backup(con, target, actor=actor)
        return name, target.read_bytes(), manifest

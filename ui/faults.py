"""The page shown instead of a traceback when the database file itself fails (damaged, read-only,
disk full, held by another process): one Chinese line and a reference; the details go to the
server's log under the same reference, never to the browser."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

import streamlit as st

from ui import data
from xzcore.store import faults

logger = logging.getLogger(__name__)


def shown(exc: BaseException) -> bool:
    """Draw the fault page for exc and log it under a fresh reference; False (nothing drawn)
    when exc is not a fault of the database but a bug, which Streamlit shows as such."""
    message = faults.explain(exc)
    if message is None:
        return False
    ref = f"{dt.datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    logger.error("数据库故障（编号 %s）：%s", ref, message, exc_info=exc)
    kind = faults.kind(exc)
    if kind == "corrupt":  # a mended or restored file is opened afresh next time
        data.forget_connection()
    # a file that cannot be written still shows its figures on the other pages
    title = "这一步无法完成" if kind in ("read_only", "disk_full") else "看板暂时无法显示"
    st.error(f"### {title}\n\n{message}", icon=":material/error:")
    st.caption(f"故障编号 {ref}（详细信息已记入服务器日志）。问题排除后刷新本页即可。")
    return True


def read_only_notice() -> None:
    """Every page of a database opened read-only says so, above the figures."""
    if data.read_only():
        st.warning(faults.READ_ONLY, icon=":material/lock:")

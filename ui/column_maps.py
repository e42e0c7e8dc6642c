"""列对应记忆 (admin): the column mappings uploads remembered, and removing one."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import data, formats
from xzcore import auth
from xzcore.display import tables
from xzcore.errors import XZError
from xzcore.ingest import mappings

_DONE = "column_maps_done"
COLUMNS = ["编号", "单位", "表头格式", "文件表头", "对应字段", "记录人", "时间"]


def table(found: list[dict]) -> pd.DataFrame:
    rows = [
        (
            m["id"],
            mappings.unit_text(m["unit"]),
            m["layout"][:8],  # a digest: its first characters tell layouts apart
            m["header"],
            mappings.field_label(m["field"]),
            m["created_by"],
            f"{m['created_at']:%Y-%m-%d %H:%M}",
        )
        for m in found
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def _label(m: dict) -> str:
    field = mappings.field_label(m["field"])
    return f"#{m['id']} {mappings.unit_text(m['unit'])}：{m['header']} → {field}"


def view(actor: auth.User) -> None:
    done = st.session_state.pop(_DONE, None)
    if done:  # it quotes a header from an uploaded file: shown as typed
        st.success(tables.literal(done), icon=":material/check_circle:")
    with data.cursor() as con:
        found = mappings.listing(con)
    if not found:
        st.info("还没有记住的列对应。在上传页面“手动指定列”并导入后，会记在这里。")
        return
    st.dataframe(
        table(found),
        hide_index=True,
        width="stretch",
        height=formats.table_height(min(len(found), 20), 1000),  # twenty rows, then it scrolls
        column_config={
            "编号": st.column_config.NumberColumn(width="small", format="%d"),
            "文件表头": st.column_config.TextColumn(width="large"),
        },
    )
    by_id = {m["id"]: m for m in found}
    with st.container(border=True):
        st.markdown("**删除一条记忆**：之后同样格式的文件中这一列重新按表头自动识别")
        chosen = st.selectbox(
            "选择要删除的列对应", list(by_id), format_func=lambda i: _label(by_id[i])
        )
        sure = st.checkbox(f"确认删除#{chosen}", key=f"forget-sure-{chosen}")
        if st.button("删除", disabled=not sure, icon=":material/delete:", key="forget-go"):
            try:
                with data.writing() as con:
                    gone = mappings.forget(con, actor, chosen)
            except XZError as exc:
                st.error(tables.literal(str(exc)), icon=":material/error:")
                return
            st.session_state[_DONE] = f"已删除列对应记忆：{_label(gone)}。"
            st.rerun()

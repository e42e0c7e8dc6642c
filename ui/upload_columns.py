"""The upload page's column parts: how each header was read, 按元换算, and the hand mapping.

Both choices are kept per uploaded file (ui.upload.options) and the preview is prepared again
with them; a hand mapping is remembered on commit for the uploader's unit (ui.upload.commit).
"""

from __future__ import annotations

import hashlib

import streamlit as st

from ui import data, upload
from xzcore import auth
from xzcore.display import tables
from xzcore.ingest import Preview, headers, mappings, preview_tables
from xzcore.ingest.templates import REFERENCE

_MAPPING_ROUND = "upload-map-round-{}"  # a new set of selectboxes after a reset


def yuan(preview: Preview, file_id: str) -> None:
    """Columns that look typed in 元: offer to read them as 元; once converted, a way back."""
    if preview.converted:
        st.info(
            "已按“元”换算为万元（÷10000）的列："
            + tables.literal("、".join(f"「{h}」" for h in preview.converted))
            + "。导入后上传记录会注明。",
            icon=":material/currency_yuan:",
        )
        if st.button("不换算，恢复原值", key=f"yuan-undo-{file_id}"):
            upload.choose(file_id, convert_yuan=False)
        return
    if not preview.yuan_columns:
        return
    st.warning(
        "这些列的数字约是按万元计合理值的 10000 倍，疑似按“元”填报："
        + tables.literal("、".join(f"「{h}」" for h in preview.yuan_columns))
        + "。核实确是按元填报的，可整列按元换算为万元；否则请在下方警告中逐条核实。",
        icon=":material/currency_yuan:",
    )
    if st.button("按元换算（÷10000）", key=f"yuan-go-{file_id}"):
        upload.choose(file_id, convert_yuan=True)


def columns(preview: Preview, file_id: str, user: auth.User) -> None:
    """How the headers were read; then the hand mapping, in its own expander."""
    parsed = preview.parsed
    # the template's 参考 columns are meant to be left unread: no reason to open the expander
    dropped = [h for h in parsed.ignored if REFERENCE not in h]  # 工作表：参考：… too
    unusual = dropped or any(c.factor != 1 for c in parsed.columns)
    with st.expander(
        f"列对应关系：识别 {len(parsed.columns)} 列，未使用 {len(parsed.ignored)} 列",
        expanded=bool(unusual),  # open when something deserves a look: a unit or a dropped column
    ):
        st.dataframe(preview_tables.columns_table(parsed), hide_index=True, width="stretch")
        if parsed.ignored:
            st.caption("未使用的列：" + tables.literal("、".join(parsed.ignored)))
        recalled = _recalled(parsed, user)
        if recalled:
            st.caption(
                "已套用本单位上次手动指定的列对应："
                + tables.literal("；".join(f"{h}→{mappings.field_label(f)}" for h, f in recalled))
            )
    hand_mapping(preview, file_id)


def _recalled(parsed, user: auth.User) -> list[tuple[str, str]]:
    unit = mappings.unit_of(user)
    found: dict[str, str] = {}
    with data.cursor() as con:
        for part in parsed.parts:
            found |= mappings.recall(con, unit, part.layout)
    return list(found.items())


def current_fields(preview: Preview, mapping: dict[str, str]) -> dict[str, str]:
    """Each header of the file → the field it is read as now; unused ones first ('ignore').

    A header mapped to 'ignore' is in no column list any more: it comes from the mapping.
    """
    parts = preview.parsed.parts
    fields = dict.fromkeys((h for part in parts for h in part.ignored), headers.IGNORE)
    fields |= {h: f for h, f in mapping.items() if f == headers.IGNORE}
    for column in preview.parsed.columns:
        fields.setdefault(column.header, column.field)
    return fields


def hand_mapping(preview: Preview, file_id: str) -> None:
    """「手动指定列」: a field for any header; applying prepares the preview again."""
    mapping = upload.options(file_id)["mapping"]
    fields = current_fields(preview, mapping)
    if not fields:
        return
    round_key = _MAPPING_ROUND.format(file_id)
    turn = st.session_state.get(round_key, 0)
    with st.expander("手动指定列", expanded=bool(mapping)):
        st.caption(
            "自动识别不对，或有需要的列未使用时，在这里为每一列选择对应的字段，再点“按此对应"
            "重新识别”。导入后会记住这些对应：下次同样格式的文件将自动对应。"
        )
        with st.form(f"mapping-{file_id}-{turn}", border=False):
            chosen = {}
            for header, field in fields.items():
                choices = [headers.IGNORE, *headers.MAPPABLE]
                if field not in choices:  # e.g. a month's target: kept as read
                    choices.append(field)
                digest = hashlib.sha1(header.encode()).hexdigest()[:12]
                read = next((c for c in preview.parsed.columns if c.header == header), None)
                chosen[header] = st.selectbox(
                    tables.literal(header),  # a label renders Markdown: the header as typed
                    choices,
                    index=choices.index(field),
                    format_func=lambda f, read=read: _label(f, read),
                    key=f"map-{file_id}-{turn}-{digest}",
                )
            applied = st.form_submit_button("按此对应重新识别", icon=":material/table_edit:")
        if mapping:
            st.caption(
                "已手动指定："
                + tables.literal(
                    "；".join(f"{h}→{mappings.field_label(f)}" for h, f in mapping.items())
                )
                + "。确认导入后将记住，下次同样格式的文件将自动对应。"
            )
            if st.button("恢复自动识别", key=f"map-reset-{file_id}-{turn}"):
                st.session_state[round_key] = turn + 1
                upload.choose(file_id, mapping={})
    if applied:
        changed = {h: f for h, f in chosen.items() if f != fields[h]}
        if changed:
            st.session_state[round_key] = turn + 1
            upload.choose(file_id, mapping=mapping | changed)


def _label(field: str, read) -> str:
    """A choice as people read it; a field only the reader sets (a month's target) as read."""
    if field == headers.IGNORE:
        return "不使用"
    if field in headers.MAPPABLE:
        return headers.MAPPABLE[field]
    return preview_tables.field_label(read) if read is not None and read.field == field else field

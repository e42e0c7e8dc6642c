"""月度通报: the month's 晾晒 bulletin in words and tables, and its PDF, Excel workbook and chart
images to download. District-wide, as the bulletin is: the sidebar filters do not apply here.
A published month is its frozen copy in the version chosen (?version=); a corrected version says
更正 and what changed; a month being collected is marked 未发布 on the page and in every file."""

import functools

import streamlit as st

from ui import controls, data, report_data, shell
from xzcore.display import tables
from xzcore.report import plots

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER = st.column_config.TextColumn(alignment="right")  # figures as the PDF writes them

user = shell.page()
version = data.data_version()
view = controls.view(version, user, filters=False, versions=True)
controls.header("月度通报", view, version)
bulletin = report_data.bulletin(version, view.month, view.edition)

st.subheader(bulletin.heading, anchor=False)
if bulletin.correction:
    st.info(tables.literal(bulletin.correction), icon=":material/edit_note:")
# each file is made on its button's click (a few seconds the first time), then kept
downloads = (
    ("下载 PDF", report_data.pdf_file, "pdf", "application/pdf", ":material/picture_as_pdf:"),
    ("下载 Excel", report_data.xlsx_file, "xlsx", XLSX, ":material/table_view:"),
    ("下载图表图片（ZIP）", report_data.charts_zip, "zip", "application/zip", ":material/image:"),
)
with st.container(horizontal=True, gap="small"):
    for label, make, suffix, mime, icon in downloads:
        st.download_button(
            label,
            data=functools.partial(make, version, view.month, view.edition),
            file_name=f"{bulletin.file_stem}.{suffix}",
            mime=mime,
            icon=icon,
            on_click="ignore",
            key=f"report_{suffix}",
            type="primary" if suffix == "pdf" else "secondary",
        )
st.caption(
    "PDF 与图表图片第一次生成需要几秒钟。图表："
    + "、".join(plots.title(name) for name in plots.NAMES)
    + "。"
)

st.markdown("#### 总体情况")
for paragraph in bulletin.paragraphs:
    st.markdown(tables.literal(paragraph))  # unit names come from uploads: shown as typed

words = {"按责任单位": bulletin.unit_words, "按镇街道": bulletin.township_words}
shown = list(bulletin.tables.values())
for tab, table in zip(st.tabs([t.title for t in shown]), shown, strict=True):
    with tab:
        if table.sheet in words:
            st.markdown(tables.literal(words[table.sheet]))
        if table.note:
            st.caption(tables.literal(table.note))
        if table.rows:
            st.dataframe(
                table.text_frame(),
                hide_index=True,
                width="stretch",
                height="content",
                column_config={
                    c.title: NUMBER for c in table.columns if c.kind not in ("text", "light")
                },
            )
        else:
            st.info(table.empty)

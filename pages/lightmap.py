"""亮灯地图: each project's light on the district outline, each township's light behind them,
and the townships ranked. Offline by default; XZ_MAP_TILES adds the deployment's own tiles."""

import functools
import os

import streamlit as st

from ui import controls, data, formats, screen, shell, table_download
from xzcore.display import lightmap, tables

user = shell.page()
version = data.data_version()
view = controls.view(version, user)
controls.header("亮灯地图", view, version)
total = data.summary(version, view.month, ("township",), view.filters, view.edition)
townships = total["groups"]["township"]

st.markdown(
    "**图例**　点的颜色是项目的亮灯：:green[● 绿灯]　:orange[● 黄灯]　:red[● 红灯]"
    "（地图左下角的图例注明各灯的项目数）；点越大，年度计划投资越多；"
    "镇街道中心的浅色大圆是该镇街道汇总的亮灯。点击项目查看详情；点击右图（手机上在地图下方）的镇街道即筛选到该镇街道。"
)
key = "light_map"
# The map beside the townships' lights: the district is taller than wide, and alone on a wide
# screen it filled a third of the width. On a phone the columns stack, the map first.
left, right = st.columns([3, 2], gap="medium")
left.plotly_chart(
    # the deployment's own tile server, e.g. http://tiles.local/{z}/{x}/{y}.png (README 地图)
    data.light_map(
        version, view.month, view.filters, view.edition, os.environ.get("XZ_MAP_TILES") or None
    ),
    width="stretch",
    config=screen.CONFIG,  # no scroll zoom: a page scrolled on a phone should not zoom the map
    key=key,
    # a partial, not a lambda: a lambda keeps this page's globals (the 10,000-row status
    # frame) alive in every session that holds the callback, ~2.5 MB an idle session
    on_select=functools.partial(controls.open_project, key),
    selection_mode="points",
)
controls.group_chart(right, version, view, "township", "lightmap_towns", "lights")
if total["projects"] > lightmap.NAMED_POINTS:
    st.caption(
        f"共 {total['projects']:,} 个项目：地图画出最差的 {lightmap.NAMED_POINTS} 个"
        f"（悬停显示名称与原因）和年度计划最大的项目，最多 {lightmap.MAX_POINTS:,} 个点；"
        "镇街道的大圆汇总全部项目。"
        "点击任一点打开项目。"
    )
st.caption(f"{lightmap.CREDIT}；项目位置为示意，不作定位依据。")

st.subheader("各镇街道亮灯与完成率")
formats.ranking(townships, "township")
table_download.csv_button(
    tables.ranking(townships, "township"), f"各镇街道亮灯与完成率_{view.month}", key="csv_townships"
)

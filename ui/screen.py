"""What every screen shares, in one place: the Plotly config of every chart (its toolbar in
Chinese), the styles that keep Streamlit's English out of sight, and the phone's layout.

Plotly's toolbar: plotly.js translates its own tooltips through `config.locale`, but Streamlit
1.67's bundle registers only the en and en-US dictionaries, so the zh-CN one travels with the
config (`config.locales`, which plotly.js reads before its registry). The words are those of the
zh-CN dictionary plotly.js ships (lib/locales/zh-cn.js), for the strings our charts can show.
What neither Plotly nor Streamlit can translate is hidden or relabelled in screen.css.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from xzcore.ingest import limits

# The tooltips and notices of the toolbars our charts have (cartesian charts and the map), as
# plotly.js 3 (in Streamlit 1.67) writes them.
ZH_CN = {
    "Autoscale": "自动缩放",
    "Box Select": "矩形框选",
    "Lasso Select": "套索选择",
    "Compare data on hover": "悬停时比较数据",
    "Show closest data on hover": "悬停时显示最近的数据",
    "Toggle show closest data on hover": "切换悬停时显示最近的数据",
    "Toggle Spike Lines": "切换辅助线",
    "Double-click on legend to isolate one trace": "双击图例只看这一组",
    "Double-click to zoom back out": "双击恢复原大小",
    "Download plot as a PNG": "下载图表（PNG）",
    "Download plot": "下载图表",
    "Preparing image - this may take a few seconds": "正在生成图片，请稍候",
    "Image download succeeded": "图片已下载",
    "Sorry, there was a problem downloading your image!": "抱歉，图片下载出错！",
    "Pan": "平移",
    "Reset": "重置",
    "Reset axes": "重置坐标轴",
    "Reset view": "重置视图",
    "Reset views": "重置视图",
    "Zoom": "缩放",
    "Zoom in": "放大",
    "Zoom out": "缩小",
}
_FORMAT = {
    "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
    "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
    "months": [f"{m}月" for m in range(1, 13)],
    "shortMonths": [f"{m}月" for m in range(1, 13)],
    "date": "%Y-%m-%d",
}
# Every st.plotly_chart passes this (or SLIDE). No scroll zoom: a page scrolled on a phone
# should move the page, not zoom the chart or the map under the finger.
CONFIG = {
    "locale": "zh-CN",
    "locales": {"zh-CN": {"dictionary": ZH_CN, "format": _FORMAT}},
    "displaylogo": False,
    "scrollZoom": False,
}
SLIDE = {**CONFIG, "displayModeBar": False}  # no toolbar over a projected slide

CSS = Path(__file__).with_name("screen.css")
# Narrower than Streamlit's `md` breakpoint (768 px) the sidebar lies over the page. Streamlit's
# own navigation closes it after a tap there; our menu is st.page_link (it lists only what the
# role may open), which does not: close it the way a person would, with its own button.
PHONE = 768
_PHONE_SCRIPT = f"""<script>
if (!window.xzPhoneMenu) {{
  window.xzPhoneMenu = true;
  document.addEventListener("click", (event) => {{
    if (window.innerWidth > {PHONE}) return;
    if (!event.target.closest('[data-testid="stSidebar"] [data-testid="stPageLink"]')) return;
    const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (close) close.click();
  }}, true);
  // A tap on a chart: plotly.js takes a click for the point under the pointer's last hover,
  // and a finger never hovers. Hover where the finger lands, so that the tap selects that bar
  // or point (a group's filter, a project's page) as a mouse click does.
  document.addEventListener("touchstart", (event) => {{
    const touch = event.touches[0];
    const target = event.target;
    if (!touch || !target.closest || !target.closest(".js-plotly-plot")) return;
    target.dispatchEvent(new MouseEvent("mousemove", {{
      bubbles: true, clientX: touch.clientX, clientY: touch.clientY, view: window,
    }}));
  }}, {{capture: true, passive: true}});
}}
</script>"""


def style() -> None:
    """The shared styles; called by the router on every run, slides included."""
    st.html(CSS)


def phone_script() -> None:
    """The phone's menu and tap behaviour, in the sidebar beside the menu: never in
    presentation mode, whose page has no sidebar at all."""
    with st.sidebar:
        st.html(_PHONE_SCRIPT, unsafe_allow_javascript=True)


def upload_limit() -> str:
    """What an upload may be, in the words under every file uploader: the limit xzcore enforces
    (XZ_MAX_UPLOAD_MB). Streamlit's own cap (server.maxUploadSize, a little above it, so that a
    file just over the limit gets our Chinese refusal) says it in English and is hidden."""
    return (
        f"单个文件最大 {limits.max_upload_mb():g} MB、{limits.max_rows():,} 行数据；"
        "格式为 CSV、xlsx 或 xls。"
    )


def login_link() -> None:
    """For a visitor on a phone: 登录 at the top of the page, one tap from the form (the menu
    behind the sidebar's button was two taps and a scroll away). A plain link, not a
    st.page_link: the menu's page links are what the access tests count."""
    with st.container(key="xz_phone_login"):
        st.html(
            '<a class="xz-login" href="login" target="_self">'
            '<span class="xz-login-icon">&#x2192;</span>登录（上传、问题督办等需登录）</a>'
        )

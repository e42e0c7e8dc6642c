"""Presentation mode (?present=1): the view's figures as full-screen slides for a meeting.

Entered from the sidebar's 演示模式 or by a link prepared before the meeting, such as
/?present=1&month=2020-08&unit=区交通运输局: month and filters come from the URL as on every
page (ui/controls.py). No sidebar, no toolbar, type for the back of the room. → ← PageDown
PageUp and Space turn the slides (button shortcuts); the slide number is in the URL (slide=3),
so a reload keeps the place. Optional: automatic advance (auto=seconds), refresh (refresh=30).

The month is the newest published one unless the link names another the viewer may open; a
month being collected is marked 未发布 with how much is in on every slide, in its header and
across the slide itself, so that no photo or screenshot of it passes for published figures.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import time
from pathlib import Path

import streamlit as st

from ui import access, controls, data
from ui import slides as drawn
from xzcore.display import slide_plan
from xzcore.rules import SCHEDULE_MODES

CSS = Path(__file__).with_name("present.css")
SLIDE, AUTO, REFRESH = "slide", "auto", "refresh"
ADVANCE = {0: "手动翻页", 15: "每 15 秒", 30: "每 30 秒", 60: "每 60 秒"}
REFRESHING = {0: "不刷新", 30: "每 30 秒刷新数据"}
# More keys for the two moves, on buttons kept out of sight: presentation remotes send PageDown
# and PageUp, and Space is what a presenter tries first.
MORE_KEYS = {"PageUp": -1, "PageDown": 1, "Space": 1}
_SHOWN = "present_shown_at"  # when the current slide was drawn, for the automatic advance


def requested() -> bool:
    return st.query_params.get(controls.PRESENT) == "1"


def run() -> None:
    """Draw the slide the URL asks for, with its header and the presenter's controls."""
    st.html(CSS)
    version = data.data_version()
    user = access.current_user()
    view = controls.linked_view(version, user)
    deck = drawn.Deck(version, view, user)  # an account also sees 待协调问题 and 节点超期
    sequence = slide_plan.sequence(deck.lengths())
    number = slide_plan.clamp(st.query_params.get(SLIDE), len(sequence))
    st.query_params[SLIDE] = str(number)
    slide = sequence[number - 1]
    _header(slide, number, len(sequence), view, version)
    if view.banner:
        st.html(_unpublished(view.banner))
    with st.container(key="present_slide", height=drawn.HEIGHT, border=False):
        drawn.draw(slide, deck)
    _controls(number, len(sequence), version)


# A month being collected: a red tag in the header and a large 未发布 across the slide, above its
# content (pointer-events: none leaves the charts and tables usable). Styles inline: present.css
# styles every deck, this only a month being collected.
_TAG = (
    "display:inline-block;margin-left:18px;padding:2px 16px;border-radius:6px;"
    "background:#b71c1c;color:#fff;font-weight:700;font-size:26px;vertical-align:middle"
)
_WATERMARK = (
    "position:fixed;left:0;right:0;top:50%;transform:translateY(-30%) rotate(-12deg);"
    "text-align:center;pointer-events:none;z-index:1000;color:rgba(183,28,28,0.16);"
    "font-size:150px;font-weight:900;letter-spacing:24px;white-space:nowrap;"
    'font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif'
)


def _unpublished(banner: str) -> str:
    return (
        f'<div class="xz-unpublished" style="{_WATERMARK}">未发布'
        f'<div style="font-size:54px;letter-spacing:4px">{html.escape(banner)}</div></div>'
    )


def _header(slide, number: int, count: int, view, version: str) -> None:
    info = data.rules_info(version, view.month, view.edition)
    month = controls.month_label(view.month)
    scope = f"　·　{html.escape(controls.describe_filters(view))}" if view.filters else ""
    demo = "　·　示例数据" if data.is_demo(version) else ""
    state = ""
    if view.banner:
        state = f'<span class="xz-tag" style="{_TAG}">{html.escape(view.banner)}</span>'
    published = "" if view.banner else f"（已发布，第{view.edition}版）"
    st.html(
        f"""<div class="xz-head">
  <div><div class="xz-kicker">秀洲区重点项目建设进展　·　{month}{scope}{state}</div>
       <div class="xz-title">{slide.heading}</div></div>
  <div class="xz-where"><div class="xz-number">{number} / {count}</div>
       <div class="xz-stamp">数据截至 {month}{published}{demo}</div>
       <div class="xz-stamp">时序进度：{SCHEDULE_MODES[info["mode"]]}
            　·　亮灯规则：{html.escape(info["title"])}</div></div>
</div>"""
    )


def _turn(number: int, by: int, count: int) -> None:
    st.query_params[SLIDE] = str(slide_plan.step(number, by, count))


def _exit() -> None:
    """Back to the dashboard with the same view: month and filters stay in the URL."""
    for name in (controls.PRESENT, SLIDE, AUTO, REFRESH):
        st.query_params.pop(name, None)


def _controls(number: int, count: int, version: str) -> None:
    st.session_state[_SHOWN] = time.monotonic()
    with st.container(horizontal=True, vertical_alignment="center", key="present_bar"):
        st.button(
            "上一页",
            key="present_prev",
            icon=":material/chevron_left:",
            shortcut="Left",
            on_click=_turn,
            args=(number, -1, count),
            disabled=number == 1,
        )
        st.button(
            "下一页",
            key="present_next",
            icon=":material/chevron_right:",
            shortcut="Right",
            on_click=_turn,
            args=(number, 1, count),
            disabled=number == count,
        )
        advance = _seconds(AUTO, "自动翻页", ADVANCE)
        refresh = _seconds(REFRESH, "自动刷新", REFRESHING)
        if advance:
            _advance_every(advance, number, count)
        if refresh:
            _refresh_every(refresh, version)
        st.space("stretch")
        st.button("退出演示", key="present_exit", icon=":material/close:", on_click=_exit)
    with st.container(key="present_keys"):  # hidden by present.css
        for shortcut, by in MORE_KEYS.items():
            st.button(
                f"翻页（{shortcut}）",
                key=f"present_{shortcut.lower()}",
                shortcut=shortcut,
                on_click=_turn,
                args=(number, by, count),
            )


def _seconds(name: str, label: str, choices: dict[int, str]) -> int:
    """A choice of seconds kept in the URL, so a prepared link can start with it on."""
    asked = st.query_params.get(name, "0")
    chosen = int(asked) if asked in {str(s) for s in choices} else 0
    # The key names the choice: a new choice is a new widget, and the old one, which holds the
    # keyboard focus after the click, goes away. Focused, it would keep the arrow keys and
    # Space from the slide shortcuts.
    key = f"present_{name}_{chosen}"
    st.session_state[key] = chosen
    st.segmented_control(
        label,
        list(choices),
        format_func=choices.get,
        required=True,
        key=key,
        on_change=_keep,
        args=(name, key),
        label_visibility="collapsed",
    )
    return chosen


def _keep(name: str, key: str) -> None:
    value = st.session_state[key]
    if value:
        st.query_params[name] = str(value)
    else:
        st.query_params.pop(name, None)


def _period(seconds: int) -> float:
    """The chosen seconds, divided by XZ_PRESENT_SPEEDUP, which only the tests set: they watch
    the slides turn and stay paused in a tenth of the time a presenter would."""
    return seconds / float(os.environ.get("XZ_PRESENT_SPEEDUP", "1"))


def _advance_every(seconds: int, number: int, count: int) -> None:
    period = _period(seconds)

    @st.fragment(run_every=period)
    def advance() -> None:
        # the fragment also runs with the page: only a tick a whole period later turns the slide
        if time.monotonic() - st.session_state[_SHOWN] >= period - min(1, period / 10):
            st.query_params[SLIDE] = str(slide_plan.step(number, 1, count, wrap=True))
            st.rerun()

    advance()


def _refresh_every(seconds: int, version: str) -> None:
    @st.fragment(run_every=_period(seconds))
    def refresh() -> None:
        if data.data_version() != version:  # new figures uploaded: draw the slide again
            st.rerun()
        st.html(f'<div class="xz-updated">更新于 {dt.datetime.now():%H:%M:%S}</div>')

    refresh()

"""Replayed websocket messages: the office's own browser frames for 确认导入 and 撤销该批次,
recorded and held back on their way to the server, replayed over the protocol by an anonymous
visitor and by a logged-in leader (viewer) change nothing; sent afterwards on the office's own
connection, the very same frames do commit and undo (so they were the real thing)."""

from __future__ import annotations

import re
import shutil
import time

import pytest

from tests.browser import server_process, settled
from tests.cycle_files import SEP, UNIT, report
from tests.logins import session_cookie
from tests.protocol import Session, texts
from xzcore.store import db

pytestmark = pytest.mark.browser
WAIT = 30000


class Tap:
    """The office tab's websocket, passed through; `hold()` keeps back the next frame the page
    sends, to be replayed elsewhere and released later."""

    def __init__(self, page):
        self.page, self.held, self._holding, self.server = page, [], False, None
        page.route_web_socket(re.compile(r"/_stcore/stream"), self._route)

    def _route(self, ws) -> None:
        self.server = ws.connect_to_server()
        ws.on_message(self._outgoing)
        self.server.on_message(ws.send)

    def _outgoing(self, message) -> None:
        if self._holding:
            self._holding = False
            self.held.append(message)
        else:
            self.server.send(message)

    def click_held(self, button: str) -> bytes:
        """Click the button and return the frame its click sent, which the server never got."""
        self._holding, before = True, len(self.held)
        self.page.get_by_role("button", name=button).click()
        deadline = time.monotonic() + 30
        while len(self.held) == before:  # each call lets Playwright hand us the page's frames
            assert time.monotonic() < deadline, f"the click on {button} sent nothing"
            self.page.evaluate("() => new Promise(r => requestAnimationFrame(r))")
        return self.held[-1]

    def release(self, frame: bytes) -> None:
        self.server.send(frame)


def _enabled(page, button: str) -> None:
    # one such button, enabled: while the page reruns, the disabled one it drew before may
    # still stand beside the new one (the history above it changed length)
    page.wait_for_function(
        "b => { const found = [...document.querySelectorAll('button')]"
        ".filter(e => e.innerText.includes(b));"
        " return found.length === 1 && !found[0].disabled; }",
        arg=button,
        timeout=WAIT,
    )


REFUSED = ("打开「上传数据」需要先登录。", "没有打开「上传数据」的权限")  # visitor, leader


def _replayed_by_others(url: str, frame: bytes, cookies: list[dict]) -> list[str]:
    """What each other session was shown after replaying the frame: the visitor the login
    form, the leader a refusal (the frame names the upload page; its widgets are never made)."""
    shown = []
    for cookie in cookies:
        with Session(url, {cookie["name"]: cookie["value"]} if cookie else None) as other:
            other.open_page()
            shown.append(texts(other.send(frame)))
    return shown


def test_replayed_commit_and_undo_frames_change_nothing_for_a_visitor_or_a_viewer(
    demo_template, tmp_path, browser
):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    september = report(path, SEP, UNIT)
    office, leader = (session_cookie(path, who, "http://127.0.0.1") for who in ("office", "leader"))
    with server_process(path) as (url, _):
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        context.add_cookies([office | {"url": url}])
        page = context.new_page()
        tap = Tap(page)
        page.goto(f"{url}/upload")
        page.get_by_text("上传记录").first.wait_for(timeout=WAIT)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            {"name": "9月月报.csv", "mimeType": "text/csv", "buffer": september}
        )
        _enabled(page, "确认导入")
        commit = tap.click_held("确认导入")
        visitors = [None, leader | {"url": url}]
        for shown, refused in zip(_replayed_by_others(url, commit, visitors), REFUSED, strict=True):
            assert refused in shown and "确认导入" not in shown, shown
        tap.release(commit)  # the office's own click, late: batch 10, so no replay made one
        page.get_by_text(re.compile(r"已导入：批次#10，")).wait_for(timeout=WAIT)
        settled(page)

        page.get_by_text("确认撤销批次#10").click()
        _enabled(page, "撤销该批次")
        undo = tap.click_held("撤销该批次")
        for shown, refused in zip(_replayed_by_others(url, undo, visitors), REFUSED, strict=True):
            assert refused in shown and "撤销该批次" not in shown, shown
        tap.release(undo)  # and batch 10 was still there to be undone by its owner
        page.get_by_text("已撤销批次#10").wait_for(timeout=WAIT)
        context.close()
    with db.connect(path) as con:
        rows = con.execute("SELECT id, user_name, undone_by FROM batches WHERE id >= 10")
        assert rows.fetchall() == [(10, "office", "office")]

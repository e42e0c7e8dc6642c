"""A problem's way in a real browser: the office registers it and hands it to 王江泾镇 with a
deadline five days out (blue) → the unit's staff see it on 我的 at a phone's 390×844, write a
progress note and 申请办结 → the office 销号 → the counts, the 办结率 and the colours follow.

Screenshots go to test-artifacts/: 我的 at 390×844, the ledger at 1920×1080.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.browser import demo_copy, screenshot, settled, streamlit_server
from tests.logins import log_in_browser
from xzcore import auth
from xzcore.problems import store
from xzcore.store import db

# one worker runs the module, in order, on its one server (make test: --dist loadgroup)
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("problems_server")]
WAIT = 60000
UNIT = "王江泾镇人民政府"
PHONE, SCREEN = (390, 844), (1920, 1080)


OFFICE = auth.User("office", "区重点办（示例）", "office")
TODAY = dt.date.today()


def _seed(path) -> None:
    """Three problems before the server starts: 王江泾's overdue (red), 洪合's sent back
    (yellow), 区交通运输局's not yet handed over."""
    with db.connect(path) as con:
        cases = (("用地指标未落实", "用地", UNIT, -3),
                 ("资金到位滞后", "资金", "洪合镇人民政府", 60),
                 ("施工许可未办结", "审批手续", "区交通运输局", None))  # fmt: skip
        for text, category, unit, days in cases:
            raised = TODAY - dt.timedelta(days=40)
            problem = store.create(con, OFFICE, description=text, category=category,
                                   source="月报", raised_on=raised)  # fmt: skip
            if days is not None:
                due = TODAY + dt.timedelta(days=days)
                store.assign(con, OFFICE, problem, lead_unit=unit, due_on=due)
            if category == "资金":
                store.request_close(con, auth.User("s", "s", "staff", (unit,)), problem, "到位")
                store.send_back(con, OFFICE, problem, "只到位一半")


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    path = demo_copy(demo_template, tmp_path_factory.mktemp("problems"))
    _seed(path)
    with streamlit_server(path) as url:
        yield url


def _as(browser, url: str, username: str, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    log_in_browser(page, url, username)
    return page


def _go(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("heading", level=1).first.wait_for(timeout=WAIT)
    settled(page, timeout=WAIT)


def _metric(page, label: str) -> str:
    found = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return found.locator('[data-testid="stMetricValue"]').inner_text()


def _submit(page, button: str, done: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.get_by_text(done).first.wait_for(timeout=WAIT)
    settled(page, timeout=WAIT)


def test_office_hands_over_the_unit_closes_and_the_figures_follow(server, browser):
    office = _as(browser, server, "office", SCREEN)
    _go(office, f"{server}/problems")
    office.get_by_role("tab", name="登记问题").click()
    office.get_by_label("问题描述").fill("<b>征迁</b> 未完成，**需协调**")
    office.get_by_role("textbox", name="主办单位", exact=True).fill(UNIT)
    due = dt.date.today() + dt.timedelta(days=5)
    for segment, value in (("year", f"{due:%Y}"), ("month", f"{due:%m}"), ("day", f"{due:%d}")):
        office.get_by_role("spinbutton", name=f"{segment}, 办结时限").click()
        office.keyboard.type(value)
    _submit(office, "登记问题", "已登记问题 #4")
    assert _metric(office, "问题数") == "4 个" and _metric(office, "蓝色督办") == "1 个"
    assert _metric(office, "红色督办") == "1 个" and _metric(office, "黄色督办") == "1 个"

    staff = _as(browser, server, "staff", PHONE)
    _go(staff, f"{server}/mine")
    body = staff.inner_text("body")
    assert "<b>征迁</b> 未完成，**需协调**" in body and "距办结时限5天" in body
    assert body.index("逾期3天") < body.index("距办结时限5天")  # overdue first
    assert "资金到位滞后" not in body  # 洪合's
    assert "红灯项目（2020-08）" in body
    screenshot(staff, "problems_mine_390x844", top=True)
    staff.get_by_role("link", name="查看与办理").nth(1).click()  # the second card: ours
    staff.get_by_text("办理记录").wait_for(timeout=WAIT)
    settled(staff, timeout=WAIT)
    staff.get_by_label("办理进展").fill("已完成入户调查，签约过半")
    _submit(staff, "提交进展", "已记录问题 #4 的办理进展")
    staff.get_by_label("办结情况说明").fill("全部签约")
    _submit(staff, "申请办结", "已申请办结")
    assert staff.get_by_role("button", name="销号").count() == 0

    _go(office, f"{server}/problems?problem=4")
    assert "申请办结" in office.inner_text("body")
    _submit(office, "销号", "已销号（实质性办结）")
    assert _metric(office, "已办结") == "1 个" and _metric(office, "办结率") == "25.0%"
    assert _metric(office, "蓝色督办") == "0 个" and _metric(office, "红色督办") == "1 个"
    office.get_by_role("tab", name="按主办单位").click()
    assert UNIT in office.inner_text("body")
    office.get_by_role("tab", name="问题台账").click()
    screenshot(office, "problems_ledger_1920x1080", top=True)

    _go(staff, f"{server}/mine")
    assert _metric(staff, "未办结问题") == "1 个" and _metric(staff, "逾期未办结") == "1 个"
    for page in (office, staff):
        assert page.locator('[data-testid="stException"]').count() == 0
        page.context.close()


def test_a_leader_downloads_the_meeting_list_and_presents_the_problems_slide(server, browser):
    leader = _as(browser, server, "leader", SCREEN)
    _go(leader, f"{server}/problems")
    leader.get_by_role("tab", name="会议清单").click()
    leader.get_by_text("待协调问题清单（全部，截至").first.wait_for(timeout=WAIT)
    for label, start in (("下载 PDF", b"%PDF"), ("下载 Excel", b"PK")):
        with leader.expect_download(timeout=WAIT) as caught:
            leader.get_by_role("button", name=label).click()
        download = caught.value
        assert download.suggested_filename.startswith("待协调问题清单（全部，截至")
        assert Path(download.path()).read_bytes().startswith(start)
    leader.goto(f"{server}/?present=1&month=2020-08&slide=8")
    leader.get_by_text("按主办单位").first.wait_for(timeout=WAIT)
    settled(leader, timeout=WAIT)
    body = leader.inner_text("body")
    assert "8 / 9" in body and "待协调问题" in body and "逾期3天" in body  # 节点超期 last
    assert "■ 红色督办" in body and "申请办结被退回" in body
    screenshot(leader, "problems_slide_1920x1080")
    assert leader.locator('[data-testid="stException"]').count() == 0
    leader.context.close()

"""A meeting opening the link at once: 25 tabs, each asking for its first page at the same
moment and then clicking to another, through Streamlit's websocket protocol (bench.viewers),
against a real server on the demo database. No view may fail: Page objects shared between
sessions made 8–19 % of such views "This page cannot be called directly" (issue 13)."""

from __future__ import annotations

import concurrent.futures
from collections import Counter

from bench import viewers

TABS = 25
VIEWS = 2  # each tab: a link, then a click in the menu


def test_25_tabs_at_once_all_get_their_pages(demo_db):
    # In a thread of its own: viewers.load runs an asyncio loop, and this process may hold
    # Playwright's (the browser tests' Chromium lasts the whole session)
    with (
        viewers.serve("dashboard.py", demo_db) as server,
        concurrent.futures.ThreadPoolExecutor(1) as thread,
    ):
        # think=(0, 0): the next page is asked for as soon as one is drawn; ramp=0: all tabs
        # connect first, then all send their first request together
        load = thread.submit(
            viewers.load, server, TABS, seconds=120, think=(0, 0), max_views=VIEWS, ramp=0
        ).result()
    assert [v.failure for v in load.failed] == []
    assert len(load.drawn) == TABS * VIEWS
    # every page was opened by several tabs at the same moment: the case that raced
    assert all(n >= 2 for n in Counter(v.page for v in load.views).values())
    assert set(Counter(v.page for v in load.views)) == set(viewers.PAGES)

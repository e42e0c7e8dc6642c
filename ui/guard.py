"""The direct-link guard: a page always runs through the router, even when Streamlit runs it alone.

Streamlit treats the folder pages/ as an old-style multipage app until a script of the server
process calls st.navigation. So on a freshly started server a link to /upload that arrives
before any run has routed makes Streamlit run pages/upload.py by itself, without dashboard.py,
and so without the router's login check. (Once any run has called st.navigation, every link
goes through dashboard.py.) tests/test_browser_access.py shows this on a real fresh server;
tests/test_direct_links.py checks every page under AppTest.

The router runs the page it chose inside `routed(user)`. Each page's first line,
`shell.page()`, calls `user()`. Outside the router that gives NOT_ROUTED: shell.page() then runs
the router itself, whose st.navigation picks the same page from the URL, checks the login and
runs the page again, this time inside `routed`. Then it stops the lone run.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from xzcore import auth

NOT_ROUTED = object()
# The user of the run the router is making, NOT_ROUTED outside it. A context variable, not
# session state: it holds for this run only (each session's script runs in its own thread).
_USER = contextvars.ContextVar("routed_user", default=NOT_ROUTED)


@contextlib.contextmanager
def routed(user: auth.User | None) -> Iterator[None]:
    """The router running its chosen page for `user` (None: a visitor)."""
    token = _USER.set(user)
    try:
        yield
    finally:
        _USER.reset(token)


def user() -> auth.User | object | None:
    """The routed run's user, or NOT_ROUTED when no router runs this page."""
    return _USER.get()

"""A Streamlit session spoken to directly over its websocket, as a hostile client would: the same
handshake as a browser tab (health for the XSRF cookie, the `streamlit, <xsrf>` subprotocol),
then any BackMsg bytes it is given, such as frames recorded from another person's browser."""

from __future__ import annotations

import http.cookies
import urllib.request

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)


class Session:
    """with Session(url, cookies) as tab: tab.open_page(); tab.send(frame)"""

    def __init__(self, url: str, cookies: dict[str, str] | None = None):
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as answer:
            jar = http.cookies.SimpleCookie(answer.headers.get("Set-Cookie", ""))
        xsrf = jar["_streamlit_xsrf"].value
        sent = {"_streamlit_xsrf": xsrf} | (cookies or {})
        self._connection = connect(
            url.replace("http://", "ws://") + "/_stcore/stream",
            subprotocols=["streamlit", xsrf],
            additional_headers={"Cookie": "; ".join(f"{k}={v}" for k, v in sent.items())},
            origin=url,
            max_size=None,
            open_timeout=30,
        )
        self.url = url

    def __enter__(self) -> Session:
        self.ws = self._connection.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._connection.__exit__(*exc)

    def open_page(self, url_path: str = "") -> list[ForwardMsg]:
        """What a tab sends on opening url_path: a rerun with no widget states."""
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = url_path
        msg.rerun_script.widget_states.SetInParent()
        msg.rerun_script.context_info.url = f"{self.url}/{url_path}"
        return self.send(msg.SerializeToString())

    def send(self, frame: bytes, timeout: float = 60) -> list[ForwardMsg]:
        """Send one BackMsg as bytes; the messages of the run it starts, up to its end."""
        self.ws.send(frame)
        got = []
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(self.ws.recv(timeout=timeout))
            got.append(msg)
            if msg.WhichOneof("type") == "script_finished" and msg.script_finished in DONE:
                return got


def elements(messages: list[ForwardMsg]) -> list:
    """The elements a run drew, in order."""
    return [
        m.delta.new_element
        for m in messages
        if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "new_element"
    ]


def texts(messages: list[ForwardMsg]) -> str:
    """Every markdown, alert and widget label the run drew, joined: what a person would read."""
    out = []
    for el in elements(messages):
        kind = el.WhichOneof("type")
        part = getattr(el, kind)
        for name in ("body", "label"):
            if hasattr(part, name):
                out.append(getattr(part, name))
    return "\n".join(out)

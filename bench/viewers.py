"""Virtual viewers: browser tabs that speak Streamlit 1.67's websocket protocol, against a server
this module starts, with the server's CPU and memory read from /proc.

A tab does what Chromium does when a person opens the dashboard (Streamlit's frontend, read
against a real tab): GET /_stcore/health (it sets the XSRF cookie) and /_stcore/host-config, then
the websocket /_stcore/stream with the subprotocols ``streamlit, <xsrf>`` and that cookie. The
first page is a link (rerun_script with page_name = the URL path and the query string); every
later one a click in the menu (rerun_script with the page_script_hash the server's navigation
message gave). A tab keeps the hashes of the cacheable messages it holds and sends them with each
rerun, as the frontend's message cache does, so the server may answer with a reference instead.

A page view is timed from the rerun sent to script_finished; a page showing an exception element
(Streamlit's red box) or the login form is counted as failed, never timed.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
# The dashboard's viewing pages: menu title → URL path (what a link sends as page_name).
PAGES = {
    "总览": "",
    "投资完成": "completion",
    "进度滞后": "lag",
    "亮灯地图": "lightmap",
    "红旗/预警": "evaluation",
    "项目详情": "project",
}


# --- the server under test ---------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    port: int
    pid: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(
    script: str, database: Path | None = None, options: dict | None = None, log: Path | None = None
) -> Iterator[Server]:
    """`streamlit run script` from the repository (its .streamlit/config.toml applies), on a free
    port; options are extra --section.name values (e.g. {"runner.postScriptGC": "false"}); log:
    a file for the server's output (its tracebacks: pages show visitors no details)."""
    port = _free_port()
    args = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # fmt: skip
    for name, value in (options or {}).items():
        args += [f"--{name}", str(value)]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    if database is not None:
        env["XZ_DB"] = str(database)
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit run {script} did not start") from None
                time.sleep(0.2)  # polling a starting process: no event to wait for
        yield Server(port, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()


def usage(pid: int) -> tuple[float, float]:
    """The process's CPU seconds (user + system, all threads) and resident memory in MB."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    with open(f"/proc/{pid}/status") as fh:
        rss = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
    return (int(fields[11]) + int(fields[12])) / TICKS, rss / 1024


# --- one tab -------------------------------------------------------------------------------------


@dataclass
class View:
    page: str
    latency_ms: float | None = None
    bytes: int = 0
    messages: int = 0
    failure: str = ""  # "" when the page was drawn
    charts: int = 0  # Plotly charts on the page


async def _get(port: int, path: str) -> dict[str, str]:
    """A plain HTTP/1.1 GET to the server; returns the cookies it sets."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
        )
        raw = await reader.read()
    finally:
        writer.close()
    cookies = {}
    for line in raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "set-cookie":
            key, _, val = value.strip().split(";", 1)[0].partition("=")
            cookies[key.strip()] = val.strip().strip('"')
    return cookies


class Tab:
    """One browser tab: its XSRF cookie, one websocket and the frontend's message cache."""

    def __init__(self, port: int, query: str):
        self.port, self.query = port, query
        self.hashes: dict[str, str] = {}  # page title → page_script_hash
        self.cached: dict[str, int] = {}  # message hash → script runs since last used
        self.max_age = 2
        self.ws = None

    async def open(self) -> None:
        xsrf = (await _get(self.port, "/_stcore/health")).get("_streamlit_xsrf")
        await _get(self.port, "/_stcore/host-config")
        self.ws = await connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream",
            origin=f"http://127.0.0.1:{self.port}",
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
            additional_headers={"Cookie": f"_streamlit_xsrf={xsrf}"} if xsrf else {},
            compression=None,  # uvicorn does not take permessage-deflate; Chromium's offer fails
            max_size=None,
            ping_interval=None,
            open_timeout=60,
        )

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    def _rerun(self, title: str, path: str) -> bytes:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.widget_states.SetInParent()
        if title in self.hashes:
            state.page_script_hash = self.hashes[title]  # a click in the menu
        else:
            state.page_name = path  # a link
        state.cached_message_hashes.extend(sorted(self.cached))
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "Asia/Shanghai", -480, "zh-CN"
        info.url = f"http://127.0.0.1:{self.port}/{path}"
        info.color_scheme = "light"
        return msg.SerializeToString()

    async def view(self, title: str, path: str, timeout: float = 120) -> View:
        seen = View(title)
        sent = time.perf_counter()
        await self.ws.send(self._rerun(title, path))
        while True:
            try:
                raw = await asyncio.wait_for(self.ws.recv(), sent + timeout - time.perf_counter())
            except TimeoutError:
                seen.failure = "timeout"
                break
            seen.bytes += len(raw)
            seen.messages += 1
            msg = ForwardMsg.FromString(raw)
            kind = msg.WhichOneof("type")
            if msg.metadata.cacheable and msg.hash:
                self.cached[msg.hash] = 0
            if kind == "ref_hash" and msg.ref_hash in self.cached:
                self.cached[msg.ref_hash] = 0
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                seen.charts += element.WhichOneof("type") == "plotly_chart"
                if element.WhichOneof("type") == "exception":
                    seen.failure = f"{element.exception.type}: {element.exception.message}"[:300]
                elif (
                    element.WhichOneof("type") == "text_input"
                    and element.text_input.label == "密码"
                ):
                    seen.failure = "login form"
            elif kind in ("navigation", "new_session"):
                pages = (msg.navigation if kind == "navigation" else msg.new_session).app_pages
                self.hashes |= {p.page_name: p.page_script_hash for p in pages if p.page_name}
                if kind == "new_session" and msg.new_session.config.max_cached_message_age:
                    self.max_age = msg.new_session.config.max_cached_message_age
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    seen.failure = seen.failure or f"script_finished {msg.script_finished}"
                elif not seen.failure:
                    seen.latency_ms = (time.perf_counter() - sent) * 1000
                break
        # the frontend forgets a cached message unused for max_age runs
        for key in list(self.cached):
            self.cached[key] += 1
            if self.cached[key] > self.max_age:
                del self.cached[key]
        return seen


# --- many tabs -----------------------------------------------------------------------------------


@dataclass
class Load:
    viewers: int
    seconds: float  # the window in which views were started
    views: list[View] = field(default_factory=list)
    cpu_s: float = 0.0
    rss_mb: tuple[float, float] = (0.0, 0.0)  # before, after

    @property
    def drawn(self) -> list[View]:
        return [v for v in self.views if not v.failure]

    @property
    def failed(self) -> list[View]:
        return [v for v in self.views if v.failure]

    def pages_per_s(self) -> float:
        return len(self.drawn) / self.seconds

    def percentile(self, q: float) -> float | None:
        times = sorted(v.latency_ms for v in self.drawn)
        return times[max(0, math.ceil(q * len(times)) - 1)] if times else None

    def cpu_ms_per_view(self) -> float | None:
        return 1000 * self.cpu_s / len(self.drawn) if self.drawn else None

    def bytes_per_view(self) -> float | None:
        return statistics.fmean(v.bytes for v in self.drawn) if self.drawn else None


async def _viewer(
    number: int, server: Server, pages: dict[str, str], query: str, until: float,
    think: tuple[float, float], max_views: int, views: list[View], go: asyncio.Barrier | None,
    arrive: float,
) -> None:  # fmt: skip
    rng = random.Random(number)
    await asyncio.sleep(arrive)
    tab = Tab(server.port, query)
    titles = list(pages)
    title = titles[number % len(titles)]
    try:
        await tab.open()
    except (OSError, TimeoutError) as exc:  # a person would see no page at all
        views.append(View(title, failure=f"connect: {exc!r}"[:300]))
        if go is not None:
            await go.wait()  # the others are waiting for this tab too
        return
    if go is not None:
        await go.wait()  # every tab connected: all ask for their first page at once
    try:
        while time.perf_counter() < until and (not max_views or len(views) < max_views):
            seen = await tab.view(title, pages[title])
            views.append(seen)
            if seen.failure == "timeout":
                break  # a person would reload; the tab is stuck
            if think[1]:
                await asyncio.sleep(rng.uniform(*think))  # a person reading the page
            title = rng.choice([t for t in titles if t != title] or titles)
    finally:
        await tab.close()


async def _sample(pid: int, into: list[float], every: float = 1.0) -> None:
    while True:  # until cancelled
        into.append(usage(pid)[1])
        await asyncio.sleep(every)


async def _load(server, pages, query, viewers, seconds, think, max_views, ramp, sample) -> Load:
    per_tab: list[list[View]] = [[] for _ in range(viewers)]
    go = None if ramp else asyncio.Barrier(viewers)
    cpu0, rss0 = usage(server.pid)
    began = time.perf_counter()
    until = began + seconds
    sampler = asyncio.create_task(_sample(server.pid, sample)) if sample is not None else None
    await asyncio.gather(
        *(
            _viewer(n, server, pages, query, until, think, max_views, per_tab[n], go,
                    ramp * n / viewers)  # viewers arriving over `ramp` s, as at a meeting
            for n in range(viewers)
        )
    )  # fmt: skip
    elapsed = time.perf_counter() - began
    cpu1, rss1 = usage(server.pid)
    if sampler is not None:
        sampler.cancel()
        sample.append(rss1)
    return Load(
        viewers,
        # views started in the window count even when they end after it (as st_load counts)
        elapsed if max_views else seconds,
        [v for views in per_tab for v in views],
        cpu1 - cpu0,
        (rss0, rss1),
    )


def load(
    server: Server,
    viewers: int,
    seconds: float = 30,
    pages: dict[str, str] = PAGES,
    query: str = "month=2020-08",
    think: tuple[float, float] = (1.0, 3.0),
    max_views: int = 0,
    ramp: float = 3.0,
    sample: list[float] | None = None,
) -> Load:
    """`viewers` tabs each opening a page, reading it for `think` seconds, opening another one,
    until `seconds` have passed (or each has seen `max_views` pages). ramp=0: every tab first
    connects, then all ask for their first page at the same moment. sample: a list to which
    the server's RSS (MB) is appended every second."""
    return asyncio.run(
        _load(server, pages, query, viewers, seconds, think, max_views, ramp, sample)
    )


def sequential(server: Server, pages: dict[str, str], query: str, passes: int) -> dict:
    """One tab visiting every page once, then each page `passes` times: per page, the bytes of
    the first view (nothing of it cached in the tab yet: what a click to it sends), then the
    median time, the server's CPU (one tab alone: all of it is this tab's), bytes and messages
    of the repeated, warm views."""

    async def run() -> dict:
        tab = Tab(server.port, query)
        await tab.open()
        try:
            first = {title: await _checked(tab, title, path) for title, path in pages.items()}
            out = {}
            for title, path in pages.items():
                cpu0, _ = usage(server.pid)
                views = [await _checked(tab, title, path) for _ in range(passes)]
                cpu1, _ = usage(server.pid)
                out[title] = {
                    "ms": statistics.median(v.latency_ms for v in views),
                    "cpu_ms": 1000 * (cpu1 - cpu0) / passes,
                    "first_bytes": first[title].bytes,
                    "bytes": statistics.fmean(v.bytes for v in views),
                    "messages": statistics.fmean(v.messages for v in views),
                    "charts": first[title].charts,
                }
            return out
        finally:
            await tab.close()

    return asyncio.run(run())


def hold(server: Server, tabs: int, query: str, measure, pages: dict[str, str] = PAGES):
    """`tabs` tabs each open one page (in turn through `pages`) and stay open, idle, while
    measure() runs; returns what it returned. The tabs close afterwards."""

    async def run():
        opened = []
        try:
            for n in range(tabs):
                tab = Tab(server.port, query)
                await tab.open()
                opened.append(tab)
                title = list(pages)[n % len(pages)]
                await _checked(tab, title, pages[title])
            return await asyncio.to_thread(measure)
        finally:
            for tab in opened:
                await tab.close()

    return asyncio.run(run())


async def _checked(tab: Tab, title: str, path: str) -> View:
    seen = await tab.view(title, path)
    if seen.failure:
        raise RuntimeError(f"{title}: {seen.failure}")
    return seen

"""Viewers at once: pages/s, p50/p95, server CPU and bytes per view, on the demo and on a
10,000-project district, beside the bare stack (bench/bare_app.py) measured in the same run.

    python -m bench.load [--quick] [--projects 10000] [--seconds 30] [--viewers 1,10,25,50]
    python -m bench.load --gc [--seconds 120]     # runner.postScriptGC on against off

Each virtual viewer is a browser tab (bench.viewers) that opens a page, reads it for 1–3 s and
clicks to another of the six viewing pages. The bare stack runs with Streamlit's defaults
(runner.postScriptGC on, as any Streamlit app out of the box); the dashboard with the project's
.streamlit/config.toml. A measurement, not a test: it prints figures and always exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench import synthetic, viewers
from bench.synthetic import demo_db

BARE = {"bare": ""}
BARE_DEFAULTS = {"runner.postScriptGC": "true"}  # Streamlit's own default, whatever ours is
QUERY = "month=2020-08"
PASSES = 5
IDLE_SESSIONS = 50


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _ratio(ours: float | None, bare: float | None, inverse: bool = False) -> str:
    if not ours or not bare:
        return "-"
    return f"{(bare / ours if inverse else ours / bare):.2f}×"


def per_page(database: Path) -> None:
    """One tab, each page PASSES times: median ms, server CPU and bytes of a first (uncached)
    view, against the bare stack's same figures."""
    with viewers.serve("bench/bare_app.py", options=BARE_DEFAULTS) as bare:
        peer = viewers.sequential(bare, BARE, "", PASSES * 2)["bare"]
    with viewers.serve("bench/bare_app.py", options={"runner.postScriptGC": "false"}) as bare:
        no_gc = viewers.sequential(bare, BARE, "", PASSES * 2)["bare"]
    with viewers.serve("dashboard.py", database) as server:
        ours = viewers.sequential(server, viewers.PAGES, QUERY, PASSES)
    print(f"  one tab, {PASSES} warm views a page; bare stack: {peer['ms']:.0f} ms,"
          f" {peer['cpu_ms']:.0f} ms CPU a view ({no_gc['cpu_ms']:.0f} ms without its post-run"
          f" GC), {peer['first_bytes']:,.0f} bytes")  # fmt: skip
    print(f"  {'page':<8} {'ms':>6} {'CPU ms':>7} {'×bare':>6} {'bytes 1st':>10} {'×bare':>7}"
          f" {'bytes warm':>10} {'msgs':>5}")  # fmt: skip
    for title, row in ours.items():
        print(
            f"  {title:<8} {row['ms']:>6.0f} {row['cpu_ms']:>7.0f}"
            f" {_ratio(row['cpu_ms'], peer['cpu_ms']):>6} {row['first_bytes']:>10,.0f}"
            f" {_ratio(row['first_bytes'], peer['first_bytes']):>7} {row['bytes']:>10,.0f}"
            f" {row['messages']:>5.0f}",
            flush=True,
        )


_LOAD_COLUMNS = (("viewers", 7), ("", 9), ("pages/s", 8), ("p50 ms", 7), ("p95 ms", 7),
                 ("failed", 6), ("CPU ms/view", 11), ("KB/view", 8), ("RSS MB", 11))  # fmt: skip


def _line(cells: list[str]) -> str:
    return "  " + " ".join(
        c.ljust(w) if i == 1 else c.rjust(w)
        for i, (c, (_, w)) in enumerate(zip(cells, _LOAD_COLUMNS, strict=True))
    )


def _load_cells(n: int, label: str, got: viewers.Load) -> list[str]:
    return [str(n), label, f"{got.pages_per_s():.2f}", _ms(got.percentile(0.5)),
            _ms(got.percentile(0.95)), str(len(got.failed)), _ms(got.cpu_ms_per_view()),
            f"{(got.bytes_per_view() or 0) / 1024:.0f}",
            f"{got.rss_mb[0]:.0f}→{got.rss_mb[1]:.0f}"]  # fmt: skip


def under_load(database: Path, levels: list[int], seconds: float) -> None:
    """Each level: the bare stack, then the dashboard, `seconds` each."""
    print(f"  {seconds:.0f} s a level, think time 1–3 s; ratio = dashboard ÷ bare"
          " (pages/s: bare ÷ dashboard, so above 1 means slower)")  # fmt: skip
    print(_line([name for name, _ in _LOAD_COLUMNS]))
    log = database.with_suffix(".log")
    with (
        viewers.serve("bench/bare_app.py", options=BARE_DEFAULTS) as bare,
        viewers.serve("dashboard.py", database, log=log) as server,
    ):
        viewers.sequential(bare, BARE, "", 1)  # both warm: the caches filled, modules imported
        viewers.sequential(server, viewers.PAGES, QUERY, 1)
        for n in levels:
            peer = viewers.load(bare, n, seconds, pages=BARE, query="")
            ours = viewers.load(server, n, seconds, query=QUERY)
            print(_line(_load_cells(n, "bare", peer)))
            print(_line(_load_cells(n, "dashboard", ours)))
            ratios = [
                _ratio(ours.pages_per_s(), peer.pages_per_s(), inverse=True),
                _ratio(ours.percentile(0.5), peer.percentile(0.5)),
                _ratio(ours.percentile(0.95), peer.percentile(0.95)),
                "",
                _ratio(ours.cpu_ms_per_view(), peer.cpu_ms_per_view()),
                _ratio(ours.bytes_per_view(), peer.bytes_per_view()),
                "",
            ]
            print(_line([str(n), "ratio", *ratios]), flush=True)
            for failure in sorted({v.failure for v in ours.failed}):
                print(f"          failed: {failure}")
    for error in _errors(log):  # a page shows visitors no details: the server's log has them
        print(f"          server log: {error}")


def _errors(log: Path) -> list[str]:
    """The distinct exceptions (a traceback's last line) in a server's log."""
    lines = log.read_text(errors="replace").splitlines()
    found = []
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            rest = [x for x in lines[i + 1 :] if x and not x.startswith(" ")]
            if rest and rest[0] not in found:
                found.append(rest[0])
    return found


def idle_sessions(database: Path, sessions: int = IDLE_SESSIONS, rounds: int = 3) -> None:
    """RSS per idle session (each tab saw one page, then stays open), and after they close; in
    rounds, so that memory kept for reuse (RSS flat from round to round) shows apart from a
    leak (RSS growing by each round's sessions)."""
    with viewers.serve("dashboard.py", database) as server:
        viewers.sequential(server, viewers.PAGES, QUERY, 1)  # caches filled: not per session
        start = _settled_rss(server)
        held, closed = [], []
        for _ in range(rounds):
            held.append(viewers.hold(server, sessions, QUERY, lambda: _settled_rss(server)))
            closed.append(_settled_rss(server))
    print(f"  {sessions} idle sessions (one page each), {rounds} rounds: RSS {start:.0f} MB before;"
          f" open {', '.join(f'{m:.0f}' for m in held)} MB;"
          f" closed {', '.join(f'{m:.0f}' for m in closed)} MB;"
          f" first round {(held[0] - start) / sessions:.2f} MB a session")  # fmt: skip


def _settled_rss(server: viewers.Server) -> float:
    # a closed session is dropped by the server's own loop shortly after: wait for RSS to settle
    last = viewers.usage(server.pid)[1]
    for _ in range(20):
        time.sleep(0.5)
        now = viewers.usage(server.pid)[1]
        if abs(now - last) < 0.5:
            return now
        last = now
    return last


def gc_compare(database: Path, n: int, seconds: float) -> None:
    """The dashboard with runner.postScriptGC on and off, n viewers for `seconds` each."""
    print(f"  {n} viewers, {seconds:.0f} s each; RSS sampled through the run")
    for value in ("true", "false"):
        with viewers.serve("dashboard.py", database, {"runner.postScriptGC": value}) as server:
            viewers.sequential(server, viewers.PAGES, QUERY, 1)
            rss: list[float] = []
            got = viewers.load(server, n, seconds, query=QUERY, sample=rss)
        third = statistics.fmean(rss[len(rss) * 2 // 3 :])
        print(f"  postScriptGC={value:<5} pages/s {got.pages_per_s():.2f}"
              f"  p50 {_ms(got.percentile(0.5))} p95 {_ms(got.percentile(0.95))} ms"
              f"  CPU {_ms(got.cpu_ms_per_view())} ms/view  failed {len(got.failed)}"
              f"  RSS start {rss[0]:.0f}, max {max(rss):.0f}, end {rss[-1]:.0f} MB,"
              f" last third mean {third:.0f}", flush=True)  # fmt: skip
        for failure in sorted({v.failure for v in got.failed}):
            print(f"          failed: {failure}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, help="per load level (default 30; --quick 12)")
    parser.add_argument("--viewers", help="comma-separated levels (default 1,10,25,50)")
    parser.add_argument("--quick", action="store_true", help="levels 1,10,25, 12 s each")
    parser.add_argument("--gc", action="store_true", help="only: postScriptGC on against off")
    args = parser.parse_args(argv)
    levels = [
        int(v) for v in (args.viewers or ("1,10,25" if args.quick else "1,10,25,50")).split(",")
    ]
    seconds = args.seconds or (12 if args.quick else 30)
    with tempfile.TemporaryDirectory(prefix="xzload-") as scratch:
        folder = Path(scratch)
        district = folder / "district.duckdb"
        synthetic.district(district, args.projects)
        datasets = {
            "示例数据，113 个项目": demo_db(folder),
            f"合成数据，{args.projects:,} 个项目": district,
        }
        if args.gc:
            for label, database in datasets.items():
                print(f"runner.postScriptGC, {label}", flush=True)
                gc_compare(database, 25, args.seconds or 120)
            return 0
        for label, database in datasets.items():
            print(f"{label}（{QUERY}）", flush=True)
            per_page(database)
            under_load(database, levels, seconds)
            idle_sessions(database)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

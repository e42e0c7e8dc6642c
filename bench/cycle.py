"""Time the monthly cycle: publishing a month, and reading a published month against live.

    python -m bench.cycle [--projects 10000]

Publishing freezes the month (copies of the year's projects, plans, targets and reports to the
month, settings and earlier lights into a schema of its own, then the month's lights there).
Reading a published month runs the same metric set as bench.run on that frozen copy; the live
computation of the same month in the same run is the peer it is compared with.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench import synthetic
from bench.run import GROUPINGS
from xzcore import auth, cycle
from xzcore.figures import evaluation, metrics
from xzcore.period import Month
from xzcore.store import db

MONTH = Month(2020, 8)
TARGET_S = 2.0  # issue 11: publishing a month at 10,000 projects
RUNS = 5


def _metric_set(cursor) -> None:
    metrics.summary(cursor, MONTH, by=GROUPINGS)
    metrics.lights(cursor, MONTH)
    evaluation.evaluate(cursor, MONTH)


def _publish_s(base: Path, work: Path) -> list[float]:
    times = []
    for _ in range(3):
        shutil.copy(base, work)
        with db.connect(work) as con:
            start = time.perf_counter()
            cycle.publish.publish(con, auth.SYSTEM, MONTH)
            times.append(time.perf_counter() - start)
    return times


def _read_ms(path: Path) -> tuple[list[float], list[float]]:
    """Alternating runs, a warm-up of each first: live, then published, RUNS times."""
    live, frozen = [], []
    with db.connect(path, read_only=True) as con:
        for run in range(RUNS + 1):
            for kind, times in (("live", live), ("published", frozen)):
                cursor = con.cursor() if kind == "live" else cycle.months.reader(con, MONTH)
                start = time.perf_counter()
                _metric_set(cursor)
                if run:
                    times.append((time.perf_counter() - start) * 1000)
    return live, frozen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.cycle", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--projects", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xzcycle-") as scratch:
        folder = Path(scratch)
        base = folder / "district.duckdb"
        synthetic.build(base, args.projects)
        work = folder / "work.duckdb"
        publish = _publish_s(base, work)
        median = statistics.median(publish)
        met = "yes" if median < TARGET_S else "NO"
        print(f"Publishing {MONTH} at {args.projects:,} projects (fresh copy each, median of 3):"
              f" {median:.2f} s [{', '.join(f'{t:.2f}' for t in publish)}];"
              f" target < {TARGET_S:.0f} s met: {met}")  # fmt: skip
        with db.connect(work) as con:
            size = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema LIKE 'pub_%'"
            ).fetchone()[0]
        print(f"  frozen copy: {size} tables; file {work.stat().st_size / 2**20:.1f} MB"
              f" (before publishing {base.stat().st_size / 2**20:.1f} MB)")  # fmt: skip
        live, frozen = _read_ms(work)
        ratio = statistics.median(frozen) / statistics.median(live)
        print(f"Metric set of {MONTH} (summary by {len(GROUPINGS)} groupings + lights + evaluate),"
              f" median of {RUNS}: live {statistics.median(live):.1f} ms,"
              f" published {statistics.median(frozen):.1f} ms, ratio {ratio:.2f}"
              f" (aim: published no slower than live)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

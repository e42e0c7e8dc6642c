"""Time the full metric set for one month on synthetic districts of several sizes.

    python -m bench.run [--sizes 1000,10000,100000] [--keep DIR]

A measurement, not a test: it prints figures and whether each target was met, and always
exits 0. The figure compared with a target is the median of the timed runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench import synthetic
from xzcore.figures import evaluation, metrics
from xzcore.period import Month
from xzcore.store import db

MONTH = Month(2020, 8)
GROUPINGS = ["all", "tier", "category", "township", "unit", "leader"]
WARM_RUNS, TIMED_RUNS = 1, 5
# Projects → milliseconds the median must stay under (the targets set for this benchmark).
TARGETS_MS = {10_000: 100, 100_000: 1_000}
PARTS = ("summary", "lights", "evaluate")

_PART_CALLS = {
    "summary": lambda con: metrics.summary(con, MONTH, by=GROUPINGS),
    "lights": lambda con: metrics.lights(con, MONTH),
    "evaluate": lambda con: evaluation.evaluate(con, MONTH),
}


def measure(path: Path) -> dict[str, list[float]]:
    """Milliseconds of each part and of the whole, for each timed run."""
    # As the dashboard does (ui/data.py): one read-only connection, a cursor for each call.
    con = db.connect(path, read_only=True)
    try:
        times: dict[str, list[float]] = {name: [] for name in (*PARTS, "total")}
        for run in range(WARM_RUNS + TIMED_RUNS):
            lap = {}
            for name in PARTS:
                cursor = con.cursor()
                start = time.perf_counter()
                _PART_CALLS[name](cursor)
                lap[name] = (time.perf_counter() - start) * 1000
            if run < WARM_RUNS:  # the first run pays for reading the file into DuckDB's cache
                continue
            for name in PARTS:
                times[name].append(lap[name])
            times["total"].append(sum(lap.values()))
        return times
    finally:
        con.close()


def bench_size(projects: int, folder: Path) -> dict:
    path = folder / f"xzbench-{projects}.duckdb"
    # Only a file this script named itself is replaced; build() refuses any existing file.
    path.unlink(missing_ok=True)
    start = time.perf_counter()
    synthetic.build(path, projects)
    build_s = time.perf_counter() - start
    size_mb = path.stat().st_size / 2**20  # build() has checkpointed and closed the file
    with db.connect(path, read_only=True) as con:
        progress_rows = con.execute("SELECT count(*) FROM progress").fetchone()[0]
    times = measure(path)
    median = statistics.median(times["total"])
    target = TARGETS_MS.get(projects)
    return {
        "projects": projects,
        "progress_rows": progress_rows,
        "build_s": build_s,
        "size_mb": size_mb,
        "median_ms": median,
        "min_ms": min(times["total"]),
        **{f"{name}_ms": statistics.median(times[name]) for name in PARTS},
        "target_ms": target,
        "met": None if target is None else median < target,
    }


_COLUMNS = (  # header, key, format
    ("projects", "projects", "{:,}"),
    ("progress rows", "progress_rows", "{:,}"),
    ("build s", "build_s", "{:.1f}"),
    ("file MB", "size_mb", "{:.1f}"),
    ("median ms", "median_ms", "{:.1f}"),
    ("min ms", "min_ms", "{:.1f}"),
    ("summary ms", "summary_ms", "{:.1f}"),
    ("lights ms", "lights_ms", "{:.1f}"),
    ("evaluate ms", "evaluate_ms", "{:.1f}"),
    ("target ms", "target_ms", "< {:,}"),
    ("met", "met", "{}"),
)


def _cell(fmt: str, value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return fmt.format(value)


# Fixed widths, so each size's line can be printed as soon as it is measured (100,000 takes
# a while) and still line up with the header.
_WIDTHS = [max(len(header), 10) for header, _, _ in _COLUMNS]


def _line(cells: list[str]) -> str:
    return "  ".join(cell.rjust(w) for cell, w in zip(cells, _WIDTHS, strict=True))


def row_line(result: dict) -> str:
    return _line([_cell(fmt, result[key]) for _, key, fmt in _COLUMNS])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes", default="1000,10000,100000", help="project counts, comma-separated"
    )
    parser.add_argument("--keep", type=Path, help="build the databases in DIR and keep them")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(
        f"Full metric set for {MONTH} (summary by {', '.join(GROUPINGS)} + lights + evaluate);"
        f" {WARM_RUNS} warm-up run, median and min of {TIMED_RUNS} timed runs, parts as medians."
    )
    print(
        "Targets: "
        + ", ".join(f"{n:,} projects < {ms:,} ms" for n, ms in TARGETS_MS.items())
        + " (median)."
    )
    print(_line([header for header, _, _ in _COLUMNS]))
    print(_line(["-" * w for w in _WIDTHS]))
    with tempfile.TemporaryDirectory(prefix="xzbench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for projects in sizes:
            print(row_line(bench_size(projects, folder)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

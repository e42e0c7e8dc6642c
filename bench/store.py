"""The file store against PostgreSQL, measured in the same run: the metric set and an upload at
1,000 / 10,000 / 100,000 projects, then viewers at once on one and two server processes.

    python -m bench.store [--sizes 1000,10000,100000] [--viewers 1,10,25] [--seconds 20]
                          [--no-viewers] [--no-figures]

PostgreSQL is a throwaway server this script starts (tests/pgserver.py: on this machine, over
127.0.0.1, fsync off) and stops at the end. Each district is built as a DuckDB file by
bench.synthetic (reports to 2020-11, so that December can be uploaded), then copied into
PostgreSQL table by table through DuckDB's postgres extension (published months' schemas and
the sequences' positions too) and VACUUM ANALYZEd, as a database that has been in use is.

- summary / lights / evaluate: bench.run.measure on each store (2020-08), the stores taking
  turns (three times each, twice at 100,000) so that the machine's other load falls on both
  alike; medians; PostgreSQL as a ratio of the file. The uploads take turns too.
- ingest: December's report, one GBK CSV row per project up to the upload limit (50,000 rows:
  at 100,000 projects an office uploads two files), upload → committed (prepare and commit, as
  bench.ingest), on a fresh copy of the district each time.
- viewers: bench.viewers tabs (as bench.load) on a 10,000-project district with 2020-08
  published; the file store with one server, PostgreSQL with one and with two server
  processes (the tabs split between them). Ratios: PostgreSQL ÷ file.

A measurement, not a test: it prints figures and always exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import ingest as ingest_bench
from bench import load as load_bench
from bench import run as run_bench
from bench import synthetic, viewers
from tests.pgserver import PgServer
from xzcore import auth, ingest
from xzcore.ingest import limits
from xzcore.store import db, postgres

MONTHS = 35  # 2018-01 … 2020-11: December is the upload
PARTS = run_bench.PARTS


# --- a DuckDB file copied into PostgreSQL --------------------------------------------------


def copy_to_postgres(source: Path, target: str) -> float:
    """Empty the PostgreSQL store, then copy the file's every schema into it; the sequences
    go on after the ids copied. Returns the seconds it took (VACUUM ANALYZE included)."""
    start = time.perf_counter()
    postgres.reset(target)
    con = db.connect(target)  # migrated: main's tables and sequences
    try:
        con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'src'"
            " ORDER BY schema_name <> 'main', schema_name, table_name"
        ).fetchall()
        sequences = con.execute(
            "SELECT table_name, column_name, regexp_extract(column_default, $pattern, 1)"
            " FROM duckdb_columns() WHERE database_name = 'src' AND schema_name = 'main'"
            " AND column_default LIKE 'nextval(%'",
            {"pattern": r"nextval\('(\w+)'"},
        ).fetchall()
        with db.transaction(con):
            for schema in sorted({s for s, _ in tables if s != "main"}):
                con.execute(f'CREATE SCHEMA "{schema}"')
            for schema, table in tables:
                if schema == "main":
                    con.execute(f'DELETE FROM main."{table}"')  # what the migrations put in
                else:  # a published month's frozen copy: main's columns, as publish makes it
                    con.execute(
                        f'CREATE TABLE "{schema}"."{table}" AS SELECT * FROM main."{table}" LIMIT 0'
                    )
                con.execute(
                    f'INSERT INTO "{schema}"."{table}" BY NAME'
                    f' SELECT * FROM src."{schema}"."{table}"'
                )
            for table, column, sequence in sequences:
                top = con.execute(f'SELECT max("{column}") FROM src.main."{table}"').fetchone()[0]
                if top:
                    postgres.execute(con, f"SELECT setval('main.{sequence}', {int(top)})")
        con.execute("DETACH src")
    finally:
        con.close()
    with _direct(target) as pc:
        pc.execute("VACUUM ANALYZE")
    return time.perf_counter() - start


def _direct(target: str):
    import psycopg

    return psycopg.connect(postgres.conninfo(target), autocommit=True)


# --- the metric set and the upload ---------------------------------------------------------


def _upload_file(base: Path, work: Path, data: bytes) -> tuple[float, int]:
    shutil.copy(base, work)
    try:
        with db.connect(work) as con:
            return _upload(con, data), _written(con)
    finally:
        work.unlink()


def _upload_pg(base: Path, target: str, data: bytes) -> tuple[float, int]:
    copy_to_postgres(base, target)
    with db.connect(target) as con:
        return _upload(con, data), _written(con)


def _upload(con, data: bytes) -> float:
    """Seconds from the file's bytes to the batch committed (as bench.ingest)."""
    start = time.perf_counter()
    preview = ingest.prepare(con, data, "report.csv")
    ingest.commit(con, preview, auth.SYSTEM)
    return time.perf_counter() - start


def _written(con) -> int:
    return con.execute(
        "SELECT count(*) FROM progress WHERE batch_id = (SELECT max(id) FROM batches)"
    ).fetchone()[0]


def _ratio(pg: float | None, file: float | None) -> str:
    return "-" if not pg or not file else f"{pg / file:.2f}×"


_FIG_COLUMNS = (("projects", 9), ("store", 9), ("build s", 8), ("summary ms", 10),
                ("lights ms", 10), ("evaluate ms", 11), ("total ms", 10), ("ingest ms", 10),
                ("rows in", 8))  # fmt: skip


def _fig_line(cells: list[str]) -> str:
    return "  ".join(
        c.ljust(w) if i == 1 else c.rjust(w)
        for i, (c, (_, w)) in enumerate(zip(cells, _FIG_COLUMNS, strict=True))
    )


def figures(sizes: list[int], target: str, folder: Path) -> None:
    print(
        f"Metric set for {run_bench.MONTH} (bench.run.measure: {run_bench.WARM_RUNS} warm-up and"
        f" {run_bench.TIMED_RUNS} timed runs, 3 times a store, 2 at 100,000; medians) and"
        " December's report uploaded (one GBK CSV row per project, at most the upload limit of"
        " 50,000; upload → committed; median of 3, 1 at 100,000). The two stores take turns, so"
        " that the machine's other load falls on both alike. build s: the district for the"
        " file, the copy into PostgreSQL (+ VACUUM ANALYZE) for pg.",
        flush=True,
    )
    print(_fig_line([name for name, _ in _FIG_COLUMNS]))
    print(_fig_line(["-" * w for _, w in _FIG_COLUMNS]))
    for projects in sizes:
        base = folder / f"district-{projects}.duckdb"
        base.unlink(missing_ok=True)
        start = time.perf_counter()
        synthetic.build(base, projects, months=MONTHS)
        built = {"file": time.perf_counter() - start}
        # one upload holds at most the upload limit's rows (50,000): an office splits the rest
        rows = ingest_bench._report_rows(base)[: limits.max_rows()]
        data = ingest_bench._csv(rows).encode("gbk")
        try:
            built["pg"] = copy_to_postgres(base, target)
            stores = {"file": base, "pg": target}
            laps = {store: {n: [] for n in (*PARTS, "total")} for store in stores}
            for _ in range(3 if projects <= 10_000 else 2):
                for store, where in stores.items():
                    for name, got in run_bench.measure(where).items():
                        laps[store][name] += got
            uploads = {store: [] for store in stores}
            for _ in range(3 if projects <= 10_000 else 1):
                uploads["file"].append(_upload_file(base, folder / "work.duckdb", data))
                uploads["pg"].append(_upload_pg(base, target, data))
        except Exception as exc:  # a measurement: say what failed and go on
            print(f"  {projects:,} projects failed: {type(exc).__name__}: {exc}", flush=True)
            continue
        finally:
            base.unlink()
        found = {
            store: (
                {name: statistics.median(times) for name, times in laps[store].items()},
                statistics.median(s for s, _ in uploads[store]),
                uploads[store][-1][1],
            )
            for store in stores
        }
        for store, (times, upload, written) in found.items():
            print(_fig_line(_cells(projects, store, built[store], times, upload, written)))
        (file, file_upload, _), (pg, pg_upload, _) = found["file"], found["pg"]
        ratios = [_ratio(pg[n], file[n]) for n in (*PARTS, "total")]
        print(
            _fig_line(
                [f"{projects:,}", "pg÷file", "", *ratios, _ratio(pg_upload, file_upload), ""]
            ),
            flush=True,
        )


def _cells(projects, store, built, times, ingest_s, rows) -> list[str]:
    return [f"{projects:,}", store, f"{built:.1f}", *(f"{times[n]:.1f}" for n in PARTS),
            f"{times['total']:.1f}", f"{ingest_s * 1000:.0f}", f"{rows:,}"]  # fmt: skip


# --- viewers on one and two server processes -----------------------------------------------


def _together(servers: list[viewers.Server], n: int, seconds: float) -> viewers.Load:
    """n tabs split between the servers, all at once; one Load over all of them (CPU and RSS
    summed over every server process, one without tabs too)."""
    split = [n // len(servers) + (i < n % len(servers)) for i in range(len(servers))]
    busy = [(server, k) for server, k in zip(servers, split, strict=True) if k]
    before = [viewers.usage(server.pid) for server in servers]
    with ThreadPoolExecutor(len(busy)) as pool:
        futures = [
            pool.submit(viewers.load, server, k, seconds, query=load_bench.QUERY)
            for server, k in busy
        ]
        views = [v for f in futures for v in f.result().views]
    after = [viewers.usage(server.pid) for server in servers]
    return viewers.Load(
        n,
        seconds,
        views,
        sum(a[0] - b[0] for a, b in zip(after, before, strict=True)),
        (sum(b[1] for b in before), sum(a[1] for a in after)),
    )


def viewers_at_once(target: str, projects: int, levels: list[int], seconds: float, folder: Path):
    district = folder / "viewers.duckdb"
    district.unlink(missing_ok=True)
    synthetic.district(district, projects)
    copy_to_postgres(district, target)
    print(
        f"Viewers at once, {projects:,}-project district ({load_bench.QUERY} published),"
        f" {seconds:.0f} s a level, think time 1–3 s (bench.load). Every server runs from the"
        " start and each level is measured on the three in turn (the machine's other load falls"
        " on all alike); two servers: the tabs split between two processes on the same store,"
        " CPU and RSS summed. Ratio = pg ÷ file (pages/s: file ÷ pg, so above 1 means slower).",
        flush=True,
    )
    print(load_bench._line([name for name, _ in load_bench._LOAD_COLUMNS]))
    stores = {"file": (district, 1), "pg 1 srv": (target, 1), "pg 2 srv": (target, 2)}
    logs = {
        label: [folder / f"{label.replace(' ', '-')}.{i}.log" for i in range(count)]
        for label, (_, count) in stores.items()
    }
    with contextlib.ExitStack() as stack:
        running = {
            label: [
                stack.enter_context(viewers.serve("dashboard.py", database, log=log))
                for log in logs[label]
            ]
            for label, (database, _) in stores.items()
        }
        for servers in running.values():
            for server in servers:  # warm: caches filled, modules imported
                viewers.sequential(server, viewers.PAGES, load_bench.QUERY, 1)
        for n in levels:
            got = {label: _together(servers, n, seconds) for label, servers in running.items()}
            for label, load in got.items():
                print(load_bench._line(load_bench._load_cells(n, label, load)))
                for failure in sorted({v.failure for v in load.failed}):
                    print(f"          failed: {failure}")
            base = got["file"]
            for label in ("pg 1 srv", "pg 2 srv"):
                ratios = [
                    _ratio(base.pages_per_s(), got[label].pages_per_s()),
                    _ratio(got[label].percentile(0.5), base.percentile(0.5)),
                    _ratio(got[label].percentile(0.95), base.percentile(0.95)),
                    "",
                    _ratio(got[label].cpu_ms_per_view(), base.cpu_ms_per_view()),
                    _ratio(got[label].bytes_per_view(), base.bytes_per_view()),
                    "",
                ]
                print(load_bench._line([str(n), f"ratio {label[3:]}", *ratios]), flush=True)
    for label, paths in logs.items():
        for path in paths:
            for error in load_bench._errors(path):  # pages show visitors no details
                print(f"          {label} server log: {error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.store", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="project counts")
    parser.add_argument("--viewers", default="1,10,25", help="viewers at once, comma-separated")
    parser.add_argument("--seconds", type=float, default=20, help="per viewer level")
    parser.add_argument("--projects", type=int, default=10_000, help="district for the viewers")
    parser.add_argument("--no-figures", action="store_true", help="only the viewers")
    parser.add_argument("--no-viewers", action="store_true", help="only the figures")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="xzstore-") as scratch,
        PgServer(dbname="xz") as server,
    ):
        target = postgres.PREFIX + server.conninfo
        folder = Path(scratch)
        version = _server_version(target)
        print(f"PostgreSQL {version} (throwaway, 127.0.0.1, fsync off) against the DuckDB file.")
        if not args.no_figures:
            figures([int(s) for s in args.sizes.split(",") if s.strip()], target, folder)
        if not args.no_viewers:
            levels = [int(v) for v in args.viewers.split(",") if v.strip()]
            viewers_at_once(target, args.projects, levels, args.seconds, folder)
    return 0


def _server_version(target: str) -> str:
    with _direct(target) as pc:
        return pc.execute("SHOW server_version").fetchone()[0]


if __name__ == "__main__":
    raise SystemExit(main())

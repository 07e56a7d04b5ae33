"""The REAL trade path against a hand-written Polars + DuckDB baseline, on a SYNTHETIC release.

Writes a synthetic BACI-layout release zip per year count under benchmarks/.work/ (gitignored,
named BACI_HS92_SYNTHETIC_*): N_ROWS rows a year, ~5,000 HS6 codes (the 48 mapped HS92 mineral
codes of data/seeds/hs_mineral.csv among them, about 1% of rows), the BACI country codes of the
bundled extract, no duplicate (t, i, j, k), v in thousand USD, q with ~8% space-padded "NA".
Only its shape, size and code lists are realistic; every record says "data": "synthetic". Years
end at 2021 so that no bundled HS17 year (2022, 2024) enters the comparison.

The release is served by a local HTTP server (127.0.0.1). For each year count, pair by pair:

- project:  `minerals refresh --live --select <trade graph> --years Y0-Y1` in a fresh process
            (downloads the release, raw.baci_flows, staging.trade_flows with its GX suite,
            staging.import_by_supplier, marts.import_dependence and every check on them);
- baseline: a hand-written script in a fresh process doing the same work: download and sha256,
            per year extract + DuckDB read_csv with the integer product filter, conform (ISO3,
            Taiwan, seed mapping, USD), the same invariants in SQL, the two aggregations.

Wall time and peak RSS come from os.wait4 on each child. Both write staging.trade_flows and
marts.import_dependence; they are compared row by row (doubles to 1e-9 relative) and the pair
is recorded only as equal or not. Appends one JSON line per pair to benchmarks/results.jsonl.

Usage (medians of --runs pairs; the 10-year release takes a few minutes to generate once):
    .venv/bin/python benchmarks/trade_path.py --years 1 3           # the default
    .venv/bin/python benchmarks/trade_path.py --years 10 --runs 3
    .venv/bin/python benchmarks/trade_path.py --years 1 --rows 1000000 --runs 1   # quick
"""

import argparse
import functools
import hashlib
import http.server
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import results

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
EXTRACT = REPO / "data/snapshot/baci/hs92/baci_hs92_critical_1995_2024.parquet"
COUNTRY_CSV = REPO / "data/snapshot/reference/baci_country_codes/country_codes_V202601.csv"
SEEDS = REPO / "data/seeds"
LAST_YEAR = 2021
N_ROWS = 10_000_000
N_PRODUCTS = 5000
SEED = 20261202
GEN_VERSION = 3  # bump when the generator changes, so cached releases are rebuilt
CHUNK_ROWS = 1_000_000
SELECT = [
    "staging.dim_country",
    # the seeds the trade tables join (assets of their own since the contracts)
    "staging.dim_hs_mineral",
    "staging.partner_group",
    "staging.bloc_members",
    "staging.eu_membership",
    "raw.baci_flows",
    "raw.baci_flows_hs17",
    "staging.trade_flows",
    "staging.import_by_supplier",
    "marts.import_dependence",
]
TARGET_RATIO = {1: 1.6, 10: 1.3}
TARGET_RSS_MIB = {10: 800}


# --- synthetic release ---------------------------------------------------------------------------


def years_of(n_years: int) -> list[int]:
    return list(range(LAST_YEAR - n_years + 1, LAST_YEAR + 1))


def release_path(n_years: int, rows: int) -> Path:
    return WORK / f"BACI_HS92_SYNTHETIC_{n_years}y_{rows}rows.zip"


def _write_year(out, rng, year: int, rows: int, countries, products) -> None:
    import numpy as np
    import polars as pl

    n_c = len(countries)
    n_pairs = n_c * (n_c - 1)  # exporter != importer
    weights = rng.lognormal(0.0, 1.0, len(products))
    per_product = np.minimum(np.floor(weights / weights.sum() * rows).astype(np.int64), n_pairs)
    while (short := rows - int(per_product.sum())) > 0:
        room = np.flatnonzero(per_product < n_pairs)
        per_product[rng.choice(room, size=min(short, len(room)), replace=False)] += 1
    start = 0
    while start < len(products):
        stop, n = start, 0
        while stop < len(products) and n < CHUNK_ROWS:
            n += int(per_product[stop])
            stop += 1
        parts_i, parts_j, parts_k = [], [], []
        for p in range(start, stop):
            pairs = rng.choice(n_pairs, size=int(per_product[p]), replace=False)
            ex, im = pairs // (n_c - 1), pairs % (n_c - 1)
            im = im + (im >= ex)  # skip the exporter itself
            parts_i.append(countries[ex])
            parts_j.append(countries[im])
            parts_k.append(np.full(len(pairs), products[p], dtype=np.int32))
        n = sum(len(a) for a in parts_i)
        chunk = pl.DataFrame(
            {
                "t": np.full(n, year, dtype=np.int32),
                "i": np.concatenate(parts_i),
                "j": np.concatenate(parts_j),
                "k": np.concatenate(parts_k),
                "v": np.maximum(np.round(rng.lognormal(2.0, 2.5, n), 3), 0.001),
                "q": np.round(rng.lognormal(3.0, 2.5, n), 3),
            }
        ).with_columns(
            pl.when(pl.Series(rng.random(n) < 0.08))
            .then(pl.lit("          NA"))  # BACI pads NA
            .otherwise(pl.col("q").cast(pl.String))
            .alias("q")
        )
        buf = io.BytesIO()
        chunk.sort("i", "j", "k").write_csv(buf, include_header=False)
        out.write(buf.getvalue())
        start = stop


def generate(n_years: int, rows: int) -> Path:
    """Write the synthetic release (cached: reused while GEN_VERSION and SEED are unchanged)."""
    import numpy as np
    import polars as pl

    path = release_path(n_years, rows)
    meta = path.with_suffix(".json")
    want = {"years": years_of(n_years), "rows": rows, "seed": SEED, "gen_version": GEN_VERSION}
    if path.exists() and meta.exists() and json.loads(meta.read_text()) == want:
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    # real BACI codes of recent years (no historical entity): the project's checks accept them
    recent = pl.read_parquet(EXTRACT).filter(pl.col("year") >= 2015)
    countries = np.array(sorted(set(recent["exporter_baci"]) | set(recent["importer_baci"])))
    hs = pl.read_csv(SEEDS / "hs_mineral.csv", infer_schema=False)
    products = {int(c) for c in hs.filter(pl.col("nomenclature") == "HS92")["hs6"]}
    while len(products) < N_PRODUCTS:  # chapters 01-97 (no 77): 010110 ... 970600
        chapter = int(rng.integers(1, 98))
        if chapter != 77:
            products.add(chapter * 10000 + int(rng.integers(1, 100)) * 100 + int(rng.integers(100)))
    products_arr = np.array(sorted(products), dtype=np.int32)
    rng.shuffle(products_arr)
    tmp = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for year in years_of(n_years):
            year_rng = np.random.default_rng([SEED, year])  # a year is the same in every release
            name = f"BACI_HS92_SYNTHETIC_Y{year}.csv"
            with zf.open(name, "w", force_zip64=True) as out:
                out.write(b"t,i,j,k,v,q\n")
                _write_year(out, year_rng, year, rows, countries, products_arr)
            print(f"  generated {name} ({rows:,} rows, synthetic)", flush=True)
        zf.writestr("Readme_SYNTHETIC.txt", "SYNTHETIC BACI-layout data for benchmarks only.\n")
    os.replace(tmp, path)
    meta.write_text(json.dumps(want))
    return path


# --- serving and running -------------------------------------------------------------------------


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def run_child(argv: list[str], env: dict, log_path: Path) -> tuple[float, float, float]:
    """Run a fresh process, its output to `log_path`: (wall s, CPU s, peak RSS MiB).

    CPU seconds (user + system, all threads) are steadier than wall time on a shared machine."""
    start = time.perf_counter()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler = threading.Thread(target=sample_rss, args=(proc.pid, log_path), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    sampler.join(timeout=5)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv[:4]} failed:\n{log_path.read_text()[-4000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024  # KiB -> MiB on Linux


def sample_rss(pid: int, log_path: Path, every_s: float = 0.1) -> None:
    """RSS of `pid` every 0.1 s, with the last step its log had reported by then, to
    `<log>.rss.tsv` (where the peak happens: the figure itself is wait4's ru_maxrss)."""
    status, rows, start = Path(f"/proc/{pid}/status"), [], time.perf_counter()
    while True:
        try:
            lines = status.read_text().splitlines()
            rss_kib = next(int(ln.split()[1]) for ln in lines if ln.startswith("VmRSS:"))
        except (OSError, StopIteration):  # exited (or a zombie, which has no VmRSS)
            break
        done = re.findall(r"built\s+(\S+)", log_path.read_text(errors="replace"))
        rows.append(
            f"{time.perf_counter() - start:.1f}\t{rss_kib // 1024}\t{done[-1] if done else '-'}"
        )
        time.sleep(every_s)
    log_path.with_suffix(".rss.tsv").write_text("s\trss_mib\tlast_built\n" + "\n".join(rows) + "\n")


def run_project(
    url: str, years: list[int], tmp: Path, home: str
) -> tuple[float, float, float, Path]:
    env = dict(
        os.environ,
        MINERALS_BACI_RELEASE_URL=url,
        MINERALS_WAREHOUSE_DIR=str(tmp / "warehouse"),
        MINERALS_LANDING_DIR=str(tmp / "landing"),
        GX_ANALYTICS_ENABLED="false",
        DAGSTER_HOME=home,  # the CLI's own persistent instance, in a folder of its own
    )
    argv = [sys.executable, "-m", "pipelines.cli", "refresh", "--live", "--select", *SELECT]
    log = WORK / "last_project.log"  # the refresh's step timeline, for a look after the run
    wall, cpu, rss = run_child([*argv, "--years", f"{years[0]}-{years[-1]}"], env, log)
    return wall, cpu, rss, tmp / "warehouse" / "build" / "minerals.duckdb"


def assets_seconds(log: Path) -> float:
    """When the run's last asset was built, from its start (the refresh's progress lines,
    `   6.3s  built    marts.x`): the graph's own time, without process start-up and imports."""
    times = [float(m) for m in re.findall(r"^\s*([\d.]+)s\s+built\s", log.read_text(), re.M)]
    return max(times)


def run_baseline(url: str, years: list[int], tmp: Path) -> tuple[float, float, float, Path]:
    out = tmp / "baseline.duckdb"
    argv = [sys.executable, __file__, "--baseline-child", url, str(out), *map(str, years)]
    wall, cpu, rss = run_child(argv, dict(os.environ), WORK / "last_baseline.log")
    return wall, cpu, rss, out


# --- the hand-written baseline (runs in its own process) -----------------------------------------

BASELINE_SQL = """
CREATE TABLE countries AS
    SELECT country_code::INTEGER AS code,
           CASE country_iso3 WHEN 'S19' THEN 'TWN' ELSE country_iso3 END AS iso3
    FROM read_csv('{countries}', all_varchar = true);
CREATE TABLE hs AS SELECT hs6, hs6::INTEGER AS k, commodity, stage, exclusivity
    FROM read_csv('{seeds}/hs_mineral.csv', all_varchar = true) WHERE nomenclature = 'HS92';
CREATE TABLE eu AS SELECT iso3, joined::INT AS joined, nullif("left", '')::INT AS "left"
    FROM read_csv('{seeds}/eu_membership.csv', all_varchar = true);
-- importer blocs: EU27 as constituted each year, USA_JPN, the partner group (its EU27 member
-- expanded to that year's member states)
CREATE TABLE blocs AS
    SELECT 'EU27' AS bloc, iso3, joined, "left" FROM eu
    UNION ALL SELECT 'USA_JPN', unnest(['USA', 'JPN']), NULL, NULL
    UNION ALL SELECT upper(group_name), member_iso3, NULL, NULL
        FROM read_csv('{seeds}/partner_group.csv', all_varchar = true)
        WHERE member_iso3 <> 'EU27'
    UNION ALL SELECT upper(p.group_name), e.iso3, e.joined, e."left"
        FROM read_csv('{seeds}/partner_group.csv', all_varchar = true) p
        JOIN eu e ON p.member_iso3 = 'EU27';
CREATE TABLE trade_flows (source VARCHAR, nomenclature VARCHAR, year INTEGER, hs6 VARCHAR,
    commodity VARCHAR, stage VARCHAR, exclusivity VARCHAR, exporter_iso3 VARCHAR,
    importer_iso3 VARCHAR, value_usd DOUBLE, quantity_t DOUBLE);
"""

BASELINE_YEAR = """
INSERT INTO trade_flows
SELECT 'baci', 'HS92', r.t, h.hs6, h.commodity, h.stage, h.exclusivity, e.iso3, m.iso3,
       r.v * 1000, nullif(trim(r.q), 'NA')::DOUBLE
FROM read_csv('{csv}', header = true, columns = {{'t': 'INTEGER', 'i': 'INTEGER',
     'j': 'INTEGER', 'k': 'INTEGER', 'v': 'DOUBLE', 'q': 'VARCHAR'}}) r
JOIN hs h ON h.k = r.k
LEFT JOIN countries e ON e.code = r.i
LEFT JOIN countries m ON m.code = r.j
WHERE h.stage <> 'exclude'
"""

BASELINE_CHECKS = {
    "duplicate_key": """SELECT count(*) FROM (SELECT 1 FROM trade_flows
        GROUP BY source, nomenclature, year, hs6, exporter_iso3, importer_iso3
        HAVING count(*) > 1)""",
    "unknown_iso3": """SELECT count(*) FROM trade_flows
        WHERE exporter_iso3 IS NULL OR importer_iso3 IS NULL""",
    "value_not_positive": "SELECT count(*) FROM trade_flows WHERE NOT value_usd > 0",
    "year_out_of_range": "SELECT count(*) FROM trade_flows WHERE year NOT BETWEEN 1995 AND 2030",
    "bad_stage": """SELECT count(*) FROM trade_flows
        WHERE stage NOT IN ('mining', 'refining', 'manufacturing')""",
    "negative_quantity": "SELECT count(*) FROM trade_flows WHERE quantity_t < 0",
    "bad_hs6": "SELECT count(*) FROM trade_flows WHERE NOT regexp_full_match(hs6, '[0-9]{6}')",
}

BASELINE_MART = """
CREATE TABLE import_dependence AS
WITH flows AS (
    SELECT importer_iso3, exporter_iso3, commodity, stage, year, value_usd, quantity_t,
           exclusivity = 'shared' AS shared FROM trade_flows
    UNION ALL  -- blocs: member imports from non-members, membership as of the year
    SELECT m.bloc, f.exporter_iso3, f.commodity, f.stage, f.year, f.value_usd, f.quantity_t,
           f.exclusivity = 'shared'
    FROM trade_flows f
    JOIN blocs m ON m.iso3 = f.importer_iso3 AND (m.joined IS NULL OR f.year >= m.joined)
         AND (m."left" IS NULL OR f.year < m."left")
    WHERE NOT EXISTS (SELECT 1 FROM blocs x WHERE x.bloc = m.bloc AND x.iso3 = f.exporter_iso3
                      AND (x.joined IS NULL OR f.year >= x.joined)
                      AND (x."left" IS NULL OR f.year < x."left"))
),
by_supplier AS (
    SELECT importer_iso3, exporter_iso3, commodity, stage, year, sum(value_usd) AS v,
           sum(quantity_t) AS q, bool_or(shared) AS shared
    FROM flows GROUP BY ALL
),
shares AS (
    SELECT *, v / sum(v) OVER (PARTITION BY importer_iso3, commodity, stage, year) AS share
    FROM by_supplier
)
SELECT importer_iso3, commodity, stage, year, sum(v) AS import_value_usd,
       sum(q) AS import_quantity_t, count(*) FILTER (WHERE v > 0) AS n_suppliers,
       first(exporter_iso3 ORDER BY v DESC, exporter_iso3) AS top_supplier_iso3,
       max(share) AS top_supplier_share,
       coalesce(sum(share) FILTER (WHERE exporter_iso3 = 'CHN'), 0) AS china_share,
       sum((share * 100) ** 2) AS supplier_hhi, max(share) > 0.65 AS exceeds_eu_65pct_cap,
       bool_or(shared) AS includes_shared_codes
FROM shares GROUP BY ALL
"""


def baseline_child(url: str, out: Path, years: list[int]) -> None:
    import duckdb
    import requests

    work = out.parent / "baseline_work"
    work.mkdir(parents=True, exist_ok=True)
    zip_path = work / url.rsplit("/", 1)[-1]
    digest = hashlib.sha256()
    with requests.get(url, stream=True, timeout=60) as resp, open(zip_path, "wb") as f:
        resp.raise_for_status()
        for block in resp.iter_content(4 * 1024 * 1024):
            digest.update(block)
            f.write(block)
    con = duckdb.connect(str(out))
    con.execute(BASELINE_SQL.format(countries=COUNTRY_CSV, seeds=SEEDS))
    with zipfile.ZipFile(zip_path) as zf:
        for year in years:
            csv = work / f"{year}.csv"
            with zf.open(f"BACI_HS92_SYNTHETIC_Y{year}.csv") as src, open(csv, "wb") as dst:
                shutil.copyfileobj(src, dst, 4 * 1024 * 1024)
            con.execute(BASELINE_YEAR.format(csv=csv))
            csv.unlink()
    failed = {
        k: n for k, sql in BASELINE_CHECKS.items() if (n := con.execute(sql).fetchall()[0][0])
    }
    if failed:
        sys.exit(f"baseline checks failed: {failed}")
    con.execute(BASELINE_MART)
    con.close()


# --- comparing outputs ---------------------------------------------------------------------------

COMPARE = {
    "staging.trade_flows": (
        "trade_flows",
        ["nomenclature", "year", "hs6", "exporter_iso3", "importer_iso3"],
    ),
    "marts.import_dependence": (
        "import_dependence",
        ["importer_iso3", "commodity", "stage", "year"],
    ),
}


def compare(project_db: Path, baseline_db: Path) -> dict[str, int]:
    """Rows that differ between the two outputs, per table (0 = identical)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"ATTACH '{project_db}' AS p (READ_ONLY)")
    con.execute(f"ATTACH '{baseline_db}' AS b (READ_ONLY)")
    diffs = {}
    for table, (base_table, key) in COMPARE.items():
        cols = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'b' "
            "AND table_name = ?",
            [base_table],
        ).fetchall()
        same = " AND ".join(
            f"(x.{c} IS NOT DISTINCT FROM y.{c} OR abs(x.{c} - y.{c}) <= "
            f"1e-9 * greatest(abs(x.{c}), abs(y.{c})))"
            if t == "DOUBLE"
            else f"x.{c} IS NOT DISTINCT FROM y.{c}"
            for c, t in cols
        )
        on = " AND ".join(f"x.{c} = y.{c}" for c in key)
        diffs[table] = con.sql(
            f"""SELECT count(*) FROM p.{table} x FULL JOIN b.{base_table} y ON {on}
            WHERE NOT ({same})"""
        ).fetchall()[0][0]
        rows = con.execute(f"SELECT count(*) FROM p.{table}").fetchall()[0][0]
        diffs[f"{table}_rows"] = rows
    return diffs


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--baseline-child":
        url, out, *years = sys.argv[2:]
        baseline_child(url, Path(out), [int(y) for y in years])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--years", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--rows", type=int, default=N_ROWS, help="rows per synthetic year")
    parser.add_argument("--runs", type=int, default=3, help="pairs per year count (median)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    WORK.mkdir(parents=True, exist_ok=True)  # a fresh checkout has none
    server, base = serve(WORK)
    # one instance for every pair, kept like a user's (its first run creates its databases)
    instance_dir = tempfile.TemporaryDirectory(dir=WORK)
    home = results.dagster_home(Path(instance_dir.name))
    try:
        for n_years in args.years:
            years = years_of(n_years)
            release = generate(n_years, args.rows)
            url = f"{base}/{release.name}"
            pairs = []
            for i in range(args.runs):
                with tempfile.TemporaryDirectory(dir=WORK) as tmp:
                    tmp = Path(tmp)
                    p_wall, p_cpu, p_rss, p_db = run_project(url, years, tmp / "project", home)
                    p_assets = assets_seconds(WORK / "last_project.log")
                    b_wall, b_cpu, b_rss, b_db = run_baseline(url, years, tmp / "baseline")
                    diffs = compare(p_db, b_db)
                equal = not any(v for k, v in diffs.items() if not k.endswith("_rows"))
                pairs.append((p_wall, b_wall, p_rss, b_rss, equal, diffs, p_cpu, b_cpu, p_assets))
                print(
                    f"{n_years} synthetic year(s), pair {i + 1}: project {p_wall:.1f} s "
                    f"(CPU {p_cpu:.1f} s) {p_rss:.0f} MiB, baseline {b_wall:.1f} s (CPU "
                    f"{b_cpu:.1f} s) {b_rss:.0f} MiB, ratio {p_wall / b_wall:.2f}, outputs "
                    f"{'equal' if equal else f'DIFFER {diffs}'}; the project's assets took "
                    f"{p_assets:.1f} s of its run",
                    flush=True,
                )
            record = {
                "benchmark": "trade_path",
                "data": "synthetic",
                "release": release.name,
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "years": f"{years[0]}-{years[-1]}",
                "n_years": n_years,
                "rows_per_year": args.rows,
                "runs": args.runs,
                "project_wall_s_median": round(statistics.median(p[0] for p in pairs), 2),
                "baseline_wall_s_median": round(statistics.median(p[1] for p in pairs), 2),
                "ratio_median": round(statistics.median(p[0] / p[1] for p in pairs), 2),
                "project_cpu_s_median": round(statistics.median(p[6] for p in pairs), 2),
                # the run's assets alone (after start-up, imports and run setup), and that time
                # against the baseline's whole run
                "project_assets_s_median": round(statistics.median(p[8] for p in pairs), 2),
                "assets_ratio_median": round(statistics.median(p[8] / p[1] for p in pairs), 2),
                "baseline_cpu_s_median": round(statistics.median(p[7] for p in pairs), 2),
                "cpu_ratio_median": round(statistics.median(p[6] / p[7] for p in pairs), 2),
                "project_peak_rss_mib_median": round(statistics.median(p[2] for p in pairs)),
                "baseline_peak_rss_mib_median": round(statistics.median(p[3] for p in pairs)),
                "outputs_equal_every_pair": all(p[4] for p in pairs),
                "rows_compared": pairs[-1][5],
                "target_ratio": TARGET_RATIO.get(n_years),
                "target_peak_rss_mib": TARGET_RSS_MIB.get(n_years),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_average_1m_after": round(os.getloadavg()[0], 1),
                # the project's DuckDB limit when set (MINERALS_DUCKDB_MEMORY_LIMIT)
                "duckdb_memory_limit": os.environ.get("MINERALS_DUCKDB_MEMORY_LIMIT"),
            }
            results.record(record)
    finally:
        server.shutdown()
        instance_dir.cleanup()


if __name__ == "__main__":
    main()

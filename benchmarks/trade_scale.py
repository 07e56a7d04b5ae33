"""Trade path at BACI scale, on a SYNTHETIC BACI-shaped release: project path vs a DuckDB baseline.

Writes a synthetic release zip under benchmarks/.work/ (gitignored): one year (2022) of N rows,
all ~5,000 HS6 codes (the 48 mapped mineral codes of data/seeds/hs_mineral.csv plus synthetic
6-digit codes, some with a leading zero), ~230 real BACI country codes, no duplicate
(t, i, j, k) key, v in thousand USD, q with ~8% "NA". The data is synthetic: only its shape,
size and code lists are realistic; every name, printed line and result record says so.

Then times, each in a fresh child process (wall time and peak RSS via os.wait4):

- project:  baci.filter_year_to_parquet (scan_year: extract the member, Polars scan_csv, filter k
            to the 48 codes, sink_parquet) -> conform in Polars (numeric codes -> ISO3 from the
            BACI country list, thousand USD -> USD) -> import-dependence aggregation in DuckDB
            (per importer, hs6, year: total value, top supplier share, supplier HHI) -> invariant
            checks in DuckDB over the whole filtered table (unique key, positive values, known
            codes, mapped codes). No pandas anywhere.
- baseline: extract the member the same way, then ONE hand-written DuckDB SQL: read_csv on the
            CSV, the same filter, conform and aggregation.

Targets (reported, not asserted): project within 1.5x of the baseline wall time and peak RSS under
2 GiB at 10M rows. Appends one JSON line per size and path to benchmarks/results.jsonl with
"data": "synthetic".

Usage:
    PYTHONPATH=. .venv/bin/python benchmarks/trade_scale.py                 # 10M rows
    PYTHONPATH=. .venv/bin/python benchmarks/trade_scale.py --rows 1000000  # quick
    PYTHONPATH=. .venv/bin/python benchmarks/trade_scale.py --linearity     # 1M, 5M, 10M
    ... --linearity --max-rows 50000000                                     # adds 50M
"""

import argparse
import json
import math
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results.jsonl"
WORK = HERE / ".work"
COUNTRY_CSV = REPO / "data/snapshot/reference/baci_country_codes/country_codes_V202601.csv"
HS_SEED = REPO / "data/seeds/hs_mineral.csv"
YEAR = 2022
N_PRODUCTS = 5000
N_COUNTRIES = 230
SEED = 20260101
GEN_VERSION = 1  # bump when the generator changes, so cached releases are rebuilt
CHUNK_ROWS = 1_000_000
TARGET_RATIO = 1.5
TARGET_RSS_MIB = 2048


# --- synthetic release ---------------------------------------------------------------------------


def release_path(rows: int) -> Path:
    return WORK / f"BACI_HS92_SYNTHETIC_{rows}rows.zip"


def member_name() -> str:
    return f"BACI_HS92_SYNTHETIC_Y{YEAR}.csv"


def mineral_codes() -> list[str]:
    import polars as pl

    seed = pl.read_csv(HS_SEED, infer_schema=False)
    return sorted(seed.filter(pl.col("nomenclature") == "HS92")["hs6"].unique().to_list())


def generate(rows: int, zip_path: Path) -> dict:
    """Write the synthetic release chunk by chunk (about CHUNK_ROWS rows in memory at a time)."""
    import io
    import zipfile

    import numpy as np
    import polars as pl

    rng = np.random.default_rng(SEED)
    countries = pl.read_csv(COUNTRY_CSV, infer_schema=False).filter(
        pl.col("country_iso3").str.len_chars() == 3
    )
    codes_all = np.array(sorted(int(c) for c in countries["country_code"]), dtype=np.int32)
    country_codes = np.sort(
        rng.choice(codes_all, size=min(N_COUNTRIES, len(codes_all)), replace=False)
    )
    n_c = len(country_codes)
    n_pairs = n_c * (n_c - 1)  # exporter != importer

    minerals = [int(c) for c in mineral_codes()]
    products = set(minerals)
    while len(products) < N_PRODUCTS:  # chapters 01-97 (no 77): 010110 ... 970600
        chapter = int(rng.integers(1, 98))
        if chapter == 77:
            continue
        products.add(chapter * 10000 + int(rng.integers(1, 100)) * 100 + int(rng.integers(0, 100)))
    products_arr = np.array(sorted(products), dtype=np.int32)
    rng.shuffle(products_arr)

    # Rows per product: skewed (lognormal), capped at the number of country pairs, summing to rows.
    weights = rng.lognormal(0.0, 1.0, len(products_arr))
    per_product = np.minimum(np.floor(weights / weights.sum() * rows).astype(np.int64), n_pairs)
    while (short := rows - int(per_product.sum())) > 0:
        room = np.flatnonzero(per_product < n_pairs)
        if len(room) == 0:
            raise SystemExit(
                f"--rows {rows} exceeds {len(products_arr)} products x {n_pairs} pairs"
            )
        add = rng.choice(room, size=min(short, len(room)), replace=False)
        per_product[add] += 1

    tmp = zip_path.with_name(f".{zip_path.name}.tmp")
    written = 0
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open(member_name(), "w", force_zip64=True) as out:
            out.write(b"t,i,j,k,v,q\n")
            start = 0
            while start < len(products_arr):
                stop, n = start, 0
                while stop < len(products_arr) and n < CHUNK_ROWS:
                    n += int(per_product[stop])
                    stop += 1
                parts_i, parts_j, parts_k = [], [], []
                for p in range(start, stop):
                    pairs = rng.choice(n_pairs, size=int(per_product[p]), replace=False)
                    ex, im = pairs // (n_c - 1), pairs % (n_c - 1)
                    im = im + (im >= ex)  # skip the exporter itself
                    parts_i.append(country_codes[ex])
                    parts_j.append(country_codes[im])
                    parts_k.append(np.full(len(pairs), products_arr[p], dtype=np.int32))
                n = sum(len(a) for a in parts_i)
                qty = np.round(rng.lognormal(3.0, 2.5, n), 3)
                chunk = pl.DataFrame(
                    {
                        "t": np.full(n, YEAR, dtype=np.int32),
                        "i": np.concatenate(parts_i),
                        "j": np.concatenate(parts_j),
                        "k": np.concatenate(parts_k),
                        "v": np.maximum(np.round(rng.lognormal(2.0, 2.5, n), 3), 0.001),
                        "q": qty,
                    }
                ).with_columns(
                    pl.when(pl.Series(rng.random(n) < 0.08))
                    .then(pl.lit("NA"))
                    .otherwise(pl.col("q").cast(pl.String))
                    .alias("q")
                )
                buf = io.BytesIO()
                chunk.sort("i", "j", "k").write_csv(buf, include_header=False)
                out.write(buf.getvalue())
                written += n
                start = stop
        country_rows = countries.filter(
            pl.col("country_code").cast(pl.Int32).is_in(country_codes.tolist())
        )
        zf.writestr("country_codes_SYNTHETIC.csv", country_rows.write_csv())
        zf.writestr(
            "product_codes_HS92_SYNTHETIC.csv",
            "code,description\n"
            + "".join(f"{c:06d},synthetic product {c:06d}\n" for c in sorted(products)),
        )
        zf.writestr("Readme_SYNTHETIC.txt", "SYNTHETIC BACI-shaped data for benchmarks only.\n")
    os.replace(tmp, zip_path)
    info = {
        "rows": written,
        "products": len(products),
        "countries": n_c,
        "seed": SEED,
        "gen_version": GEN_VERSION,
        "zip_bytes": zip_path.stat().st_size,
    }
    zip_path.with_suffix(".json").write_text(json.dumps(info) + "\n")
    return info


def cached_release(rows: int) -> dict | None:
    meta = release_path(rows).with_suffix(".json")
    if not (release_path(rows).exists() and meta.exists()):
        return None
    info = json.loads(meta.read_text())
    ok = info.get("gen_version") == GEN_VERSION and info.get("seed") == SEED
    return info if ok and info.get("rows") == rows else None


# --- the two paths (run in child processes) ------------------------------------------------------

AGG_SQL = """
WITH {ctes}
flows AS (  -- one row per supplier (several raw rows can map to one ISO3 code)
    SELECT year, importer_iso3, hs6, exporter_iso3, sum(value_usd) AS value_usd
    FROM {flows}
    GROUP BY ALL
)
SELECT
    importer_iso3, hs6, year,
    sum(value_usd) AS import_value_usd,
    count(*) AS n_suppliers,
    arg_max(exporter_iso3, value_usd) AS top_supplier_iso3,
    max(value_usd) / sum(value_usd) AS top_supplier_share,
    10000 * sum(value_usd * value_usd) / (sum(value_usd) * sum(value_usd)) AS supplier_hhi
FROM flows
GROUP BY importer_iso3, hs6, year
"""


def _mart_summary(con, mart: Path) -> dict:
    """Row count and checksums of a mart, to check both paths computed the same thing."""
    n, value, hhi, top = con.execute(
        f"""SELECT count(*), sum(import_value_usd), sum(supplier_hhi), sum(top_supplier_share)
        FROM read_parquet('{mart}')"""
    ).fetchone()
    return {"rows": n, "sum_value_usd": value, "sum_hhi": hhi, "sum_top_share": top}


def _timed(stages: dict, name: str, fn):
    t0 = time.perf_counter()
    out = fn()
    stages[name] = round(time.perf_counter() - t0, 3)
    return out


def run_project(zip_path: Path, tmpdir: Path) -> dict:
    import duckdb
    import polars as pl

    from pipelines.lib.sources import baci

    codes = mineral_codes()
    filtered = tmpdir / "baci_filtered.parquet"
    conformed = tmpdir / "baci_conformed.parquet"
    mart = tmpdir / "import_dependence.parquet"
    stages: dict[str, float] = {}

    rows = _timed(
        stages,
        "extract_scan_filter_s",
        lambda: baci.filter_year_to_parquet(zip_path, YEAR, codes, filtered),
    )

    def conform() -> None:
        from pipelines.lib.transforms.trade import with_iso3

        countries = pl.read_csv(COUNTRY_CSV, infer_schema=False)
        tmp = conformed.with_name(f".{conformed.name}.tmp")
        (
            with_iso3(pl.scan_parquet(filtered), countries)
            .with_columns((pl.col("value_kusd") * 1000).alias("value_usd"))
            .sink_parquet(tmp)
        )
        os.replace(tmp, conformed)

    _timed(stages, "conform_s", conform)

    con = duckdb.connect()
    agg = AGG_SQL.format(ctes="", flows=f"read_parquet('{conformed}')")
    _timed(
        stages,
        "aggregate_s",
        lambda: con.execute(f"COPY ({agg}) TO '{mart}' (FORMAT parquet)"),
    )

    def validate() -> dict:
        con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{conformed}')")
        con.execute(
            "CREATE TEMP TABLE mapped AS SELECT unnest($codes::VARCHAR[]) AS hs6", {"codes": codes}
        )
        checks = {
            "duplicate_keys": """SELECT count(*) FROM (SELECT year, exporter_code, importer_code,
                hs6 FROM t GROUP BY ALL HAVING count(*) > 1)""",
            "non_positive_value": "SELECT count(*) FROM t WHERE NOT (value_usd > 0)",
            "negative_quantity": "SELECT count(*) FROM t WHERE quantity_t < 0",
            "unknown_country_code": """SELECT count(*) FROM t
                WHERE exporter_iso3 IS NULL OR importer_iso3 IS NULL""",
            "unmapped_hs6": "SELECT count(*) FROM t ANTI JOIN mapped USING (hs6)",
            "wrong_year": f"SELECT count(*) FROM t WHERE year <> {YEAR}",
        }
        return {name: con.execute(sql).fetchone()[0] for name, sql in checks.items()}

    failures = _timed(stages, "validate_s", validate)
    mart_summary = _mart_summary(con, mart)
    con.close()
    return {
        "filtered_rows": rows,
        "mart": mart_summary,
        "stages": stages,
        "checks_failed": {k: v for k, v in failures.items() if v},
    }


def run_baseline(zip_path: Path, tmpdir: Path) -> dict:
    import shutil
    import zipfile

    import duckdb

    codes = mineral_codes()
    csv_path = tmpdir / member_name()
    mart = tmpdir / "import_dependence_baseline.parquet"
    stages: dict[str, float] = {}

    def extract() -> None:
        with (
            zipfile.ZipFile(zip_path) as zf,
            zf.open(member_name()) as src,
            open(csv_path, "wb") as out,
        ):
            shutil.copyfileobj(src, out, 4 * 1024 * 1024)

    _timed(stages, "extract_s", extract)
    code_list = ", ".join(f"'{c}'" for c in codes)
    # One statement: read, filter, conform and aggregate; DuckDB streams the CSV itself.
    ctes = f"""
        raw AS (
            SELECT * FROM read_csv('{csv_path}', header = true, columns = {{
                't': 'INTEGER', 'i': 'INTEGER', 'j': 'INTEGER', 'k': 'VARCHAR',
                'v': 'DOUBLE', 'q': 'VARCHAR'}})
        ),
        countries AS (
            SELECT country_code::INTEGER AS code, country_iso3 AS iso3
            FROM read_csv('{COUNTRY_CSV}', header = true, all_varchar = true)
        ),
        conformed AS (
            SELECT r.t AS year, lpad(r.k, 6, '0') AS hs6, e.iso3 AS exporter_iso3,
                   m.iso3 AS importer_iso3, r.v * 1000 AS value_usd
            FROM raw r
            LEFT JOIN countries e ON e.code = r.i
            LEFT JOIN countries m ON m.code = r.j
            WHERE lpad(r.k, 6, '0') IN ({code_list})
        ),"""
    agg = AGG_SQL.format(ctes=ctes, flows="conformed")
    sql = f"COPY ({agg}) TO '{mart}' (FORMAT parquet)"
    con = duckdb.connect()
    _timed(stages, "sql_s", lambda: con.execute(sql))
    mart_summary = _mart_summary(con, mart)
    con.close()
    return {"mart": mart_summary, "stages": stages}


def child_main(role: str, rows: int, zip_path: Path, out_json: Path) -> None:
    import tempfile

    if role == "generate":
        result = generate(rows, zip_path)
    else:
        with tempfile.TemporaryDirectory(dir=WORK, prefix=f".{role}-") as tmp:
            fn = run_project if role == "project" else run_baseline
            result = fn(zip_path, Path(tmp))
    out_json.write_text(json.dumps(result))


# --- the parent: fresh process per path, wall time and peak RSS ---------------------------------


def run_child(role: str, rows: int) -> tuple[float, float, dict]:
    out_json = WORK / f".{role}-{rows}.result.json"
    out_json.unlink(missing_ok=True)
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", role, "--rows", str(rows)]
    argv += ["--zip", str(release_path(rows)), "--result", str(out_json)]
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    )
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child: exec at once, so its peak RSS is measured alone
        try:
            os.execve(sys.executable, argv, env)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{role} at {rows} rows failed (exit {os.waitstatus_to_exitcode(status)})")
    result = json.loads(out_json.read_text())
    out_json.unlink()
    return elapsed, usage.ru_maxrss / 1024, result  # KiB -> MiB on Linux


def bench_size(rows: int, measured_at: str) -> list[dict]:
    WORK.mkdir(parents=True, exist_ok=True)
    info = cached_release(rows)
    if info is None:
        print(f"generating SYNTHETIC release {release_path(rows).name} ...", flush=True)
        gen_s, gen_rss, info = run_child("generate", rows)
        print(
            f"  {info['rows']:,} rows, {info['zip_bytes'] / 2**20:.0f} MiB zip, "
            f"{gen_s:.1f} s, generator peak RSS {gen_rss:.0f} MiB",
            flush=True,
        )
    else:
        print(f"reusing SYNTHETIC release {release_path(rows).name}", flush=True)
    measured = {}
    for role in ("project", "baseline"):
        wall, rss, result = run_child(role, rows)
        measured[role] = (wall, rss, result)
        print(f"  {role:<8} {wall:7.1f} s  {rows / wall:12,.0f} rows/s  {rss:6.0f} MiB", flush=True)
    p_wall, p_rss, p_res = measured["project"]
    b_wall, b_rss, b_res = measured["baseline"]
    pm, bm = p_res["mart"], b_res["mart"]
    same_mart = pm["rows"] == bm["rows"] and all(
        math.isclose(pm[k], bm[k], rel_tol=1e-9) for k in pm if k != "rows"
    )
    if not same_mart:
        print(f"  WARNING: the two paths' marts differ: {pm} vs {bm}")
    ratio = p_wall / b_wall
    records = []
    for role, (wall, rss, result) in measured.items():
        record = {
            "benchmark": "trade_scale",
            "data": "synthetic",
            "release": release_path(rows).name,
            "path": role,
            "measured_at": measured_at,
            "input_rows": rows,
            "products": info["products"],
            "countries": info["countries"],
            "wall_s": round(wall, 2),
            "rows_per_s": round(rows / wall),
            "peak_rss_mib": round(rss),
            "stages_s": result["stages"],
            "mart_rows": result["mart"]["rows"],
            "marts_match": same_mart,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        }
        if role == "project":
            record |= {
                "filtered_rows": result["filtered_rows"],
                "checks_failed": result["checks_failed"],
                "ratio_to_baseline": round(ratio, 2),
                "target_ratio": TARGET_RATIO,
                "target_peak_rss_mib": TARGET_RSS_MIB,
            }
        records.append(record)
    return records


def print_table(records: list[dict]) -> None:
    print("\nSYNTHETIC BACI-shaped data (one year, ~5,000 HS6 codes, filtered to 48 mineral codes)")
    head = f"{'rows':>11} {'path':<9} {'wall s':>8} {'rows/s':>12} {'peak MiB':>9} {'ratio':>6}"
    print(head)
    print("-" * len(head))
    for r in records:
        ratio = f"{r['ratio_to_baseline']:.2f}" if "ratio_to_baseline" in r else ""
        print(
            f"{r['input_rows']:>11,} {r['path']:<9} {r['wall_s']:>8.1f} {r['rows_per_s']:>12,} "
            f"{r['peak_rss_mib']:>9} {ratio:>6}"
        )
    for r in records:
        if r["path"] != "project":
            continue
        verdict = [
            f"ratio {r['ratio_to_baseline']:.2f} "
            + ("<=" if r["ratio_to_baseline"] <= TARGET_RATIO else ">")
            + f" {TARGET_RATIO}",
            f"peak {r['peak_rss_mib']} MiB "
            + ("<" if r["peak_rss_mib"] < TARGET_RSS_MIB else ">=")
            + f" {TARGET_RSS_MIB}",
        ]
        failed = r["checks_failed"] or "none"
        print(f"{r['input_rows']:>11,} targets: {'; '.join(verdict)}; checks failed: {failed}")
        print(f"{'':>11} marts of both paths match: {r['marts_match']}")
        print(f"{'':>11} project stages: {r['stages_s']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000, help="input rows (one year)")
    parser.add_argument("--linearity", action="store_true", help="run 1M, 5M, 10M (and 50M)")
    parser.add_argument("--max-rows", type=int, default=10_000_000, help="largest --linearity size")
    parser.add_argument(
        "--child", choices=["generate", "project", "baseline"], help=argparse.SUPPRESS
    )
    parser.add_argument("--zip", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child, args.rows, args.zip, args.result)
        return

    sizes = [args.rows]
    if args.linearity:
        sizes = [n for n in (1_000_000, 5_000_000, 10_000_000, 50_000_000) if n <= args.max_rows]
    measured_at = datetime.now(UTC).isoformat(timespec="seconds")
    records: list[dict] = []
    for rows in sizes:
        print(f"== {rows:,} rows (SYNTHETIC) ==", flush=True)
        new = bench_size(rows, measured_at)
        records += new
        with RESULTS.open("a") as f:
            for record in new:
                f.write(json.dumps(record) + "\n")
    print_table(records)
    if len(sizes) > 1:
        print("\nlinearity (rows/s by size; flat = linear):")
        for path in ("project", "baseline"):
            line = ", ".join(
                f"{r['input_rows'] // 1_000_000}M: {r['rows_per_s']:,}"
                for r in records
                if r["path"] == path
            )
            print(f"  {path:<8} {line}")
    print(f"\nappended {len(records)} lines to {RESULTS}")


if __name__ == "__main__":
    main()

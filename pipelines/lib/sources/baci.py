"""CEPII BACI (HS92) release: land the zip, list its yearly CSVs, stream one year filtered to HS6.

A release is one zip, e.g. `BACI_HS92_V202601.zip` (1995-2024), holding one CSV per year
(`BACI_HS92_Y{year}_V202601.csv`, header `t,i,j,k,v,q`: year, exporter and importer numeric
codes, HS6 product code written as an integer without its leading zero, value in thousand USD,
quantity in metric tons, blank or "NA" when unknown) plus country and product code lists.

A year holds about 10 million rows for all ~5,000 products, of which only a few are minerals, so
a year is never loaded whole: `scan_year` extracts that one member next to the zip (a zip member
cannot be scanned lazily in place), scans it with Polars and filters the product codes before
anything is collected; `filter_year_to_parquet` streams that into a Parquet file.
"""

import contextlib
import os
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl
import requests

from pipelines.lib.errors import SourceDataError
from pipelines.lib.sources.http import DEFAULT_POLICY, RetryPolicy, Sleep
from pipelines.lib.sources.landing import LandedFile, land_file

SOURCE = "baci"
HEADER = ("t", "i", "j", "k", "v", "q")
# Yearly members: BACI_HS92_Y2022_V202501.csv; also labelled variants such as the benchmark's
# BACI_HS92_SYNTHETIC_Y2022.csv. Country/product code lists do not match.
_YEAR_MEMBER = re.compile(r"BACI_HS\d{2}_(?:[A-Za-z]+_)?Y(\d{4})(?:_V\w+)?\.csv", re.IGNORECASE)
_RAW_SCHEMA = {
    "t": pl.Int32,
    "i": pl.Int32,
    "j": pl.Int32,
    "k": pl.String,  # 30110 must become "030110": never read as a number
    "v": pl.Float64,
    "q": pl.String,  # "NA", sometimes space-padded: cleaned after the filter
}
COLUMNS = ("year", "hs6", "exporter_code", "importer_code", "value_kusd", "quantity_t")
_COPY_CHUNK = 4 * 1024 * 1024


def land_release(
    session: requests.Session,
    url: str,
    *,
    landing_root: Path,
    filename: str | None = None,
    today=None,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
) -> LandedFile:
    """Land a BACI release zip under `<landing_root>/baci/` (resumable, immutable, deduped).

    `filename` defaults to the last segment of the URL path (e.g. `BACI_HS92_V202601.zip`). An
    unchanged release (304, or the same sha256) lands nothing new; a body that is not a zip
    (an HTML error page) is an error and never lands.
    """
    name = filename or url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return land_file(
        session,
        url,
        source=SOURCE,
        filename=name,
        landing_root=Path(landing_root),
        expect="zip",
        today=today,
        policy=policy,
        sleep=sleep,
    )


def require_years(release: str, available: Iterable[int], years: Iterable[int]) -> None:
    """A requested year the release lacks is an error: a refresh must not silently drop it."""
    have = set(available)
    missing = sorted(set(years) - have)
    if missing:
        span = f"{min(have)}-{max(have)}" if have else "no year"
        raise SourceDataError(
            SOURCE,
            release,
            f"the release has no data for {', '.join(map(str, missing))} (it covers {span}); "
            "point MINERALS_BACI_RELEASE_URL at a release that does, or refresh fewer years "
            "(minerals refresh --years)",
            values=[str(y) for y in missing],
        )


def year_members(zip_path: Path | str) -> dict[int, str]:
    """{year: member name} of the per-year CSVs in the release, sorted by year."""
    zip_path = Path(zip_path)
    found: dict[int, str] = {}
    with zipfile.ZipFile(zip_path) as zf:
        for name in zf.namelist():
            m = _YEAR_MEMBER.fullmatch(name.rsplit("/", 1)[-1])
            if not m:
                continue
            year = int(m[1])
            if year in found:
                raise SourceDataError(
                    SOURCE,
                    zip_path.name,
                    f"two members for year {year}",
                    values=[found[year], name],
                )
            found[year] = name
    return dict(sorted(found.items()))


@contextlib.contextmanager
def scan_year(zip_path: Path | str, year: int, hs6_codes: Iterable[str]) -> Iterator[pl.LazyFrame]:
    """Context manager yielding one year's rows, filtered to `hs6_codes`, as a LazyFrame.

    The year's CSV is extracted to a temporary file next to the zip (removed on exit), its header
    checked, then scanned lazily: the `k` filter (zero-padded to 6 digits) runs before anything is
    collected. Columns: year, hs6, exporter_code, importer_code, value_kusd, quantity_t (null
    where BACI has a blank or "NA"). Collect or sink inside the `with` block.
    """
    zip_path = Path(zip_path)
    codes = _check_codes(hs6_codes)
    members = year_members(zip_path)
    if year not in members:
        raise SourceDataError(
            SOURCE,
            zip_path.name,
            f"no CSV for year {year} in the release",
            values=[str(y) for y in members],
        )
    member = members[year]
    fd, tmp_name = tempfile.mkstemp(
        dir=zip_path.parent, prefix=f".{Path(member).stem}.", suffix=".csv.tmp"
    )
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, zipfile.ZipFile(zip_path) as zf, zf.open(member) as src:
            shutil.copyfileobj(src, out, _COPY_CHUNK)
        _check_header(tmp, zip_path, member)
        yield _scan_csv(tmp, codes)
    finally:
        tmp.unlink(missing_ok=True)


def filter_year_to_parquet(
    zip_path: Path | str, year: int, hs6_codes: Iterable[str], out_path: Path | str
) -> int:
    """Stream one year, filtered to `hs6_codes`, into `out_path` (Parquet); return rows written.

    Written with `sink_parquet` (streaming engine) to a temp file in the same folder, then
    published with `os.replace`: readers see the old file or the complete new one, never a part.
    """
    zip_path, out_path = Path(zip_path), Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        with scan_year(zip_path, year, hs6_codes) as lf:
            try:
                lf.sink_parquet(tmp)
            except pl.exceptions.PolarsError as exc:
                member = year_members(zip_path)[year]
                raise SourceDataError(
                    SOURCE, f"{zip_path.name}:{member}", f"cannot parse: {exc}"
                ) from exc
        rows = pl.scan_parquet(tmp).select(pl.len()).collect().item()  # footer only
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return rows


# --- helpers -----------------------------------------------------------------------------------


def _check_codes(hs6_codes: Iterable[str]) -> list[str]:
    codes = sorted({str(c).strip() for c in hs6_codes})
    bad = [c for c in codes if not re.fullmatch(r"\d{6}", c)]
    if bad or not codes:
        raise ValueError(f"hs6_codes must be non-empty 6-digit strings, got {bad or codes!r}")
    return codes


def _check_header(csv_path: Path, zip_path: Path, member: str) -> None:
    with open(csv_path, "rb") as fh:
        first = fh.readline(4096).decode("utf-8-sig", errors="replace").strip()
    got = tuple(c.strip().strip('"').strip() for c in first.split(","))
    if got == HEADER:
        return
    pos = next(
        (n for n, (w, g) in enumerate(zip(HEADER, got, strict=False)) if w != g),
        min(len(HEADER), len(got)),
    )
    expected = HEADER[pos] if pos < len(HEADER) else None
    found = got[pos] if pos < len(got) else None
    raise SourceDataError(
        SOURCE,
        f"{zip_path.name}:{member}",
        f"unexpected header: column {pos + 1} is {found!r}, expected {expected!r} "
        f"(header must be {','.join(HEADER)})",
        rows=[1],
        field=expected or found,
        values=list(got),
    )


def _scan_csv(csv_path: Path, codes: list[str]) -> pl.LazyFrame:
    q = pl.col("q").str.strip_chars()
    return (
        pl.scan_csv(csv_path, schema_overrides=_RAW_SCHEMA, infer_schema=False)
        .with_columns(pl.col("k").str.strip_chars().str.zfill(6))
        .filter(pl.col("k").is_in(codes))
        .select(
            pl.col("t").alias("year"),
            pl.col("k").alias("hs6"),
            pl.col("i").alias("exporter_code"),
            pl.col("j").alias("importer_code"),
            pl.col("v").alias("value_kusd"),
            pl.when(q.is_in(["", "NA"]))
            .then(None)
            .otherwise(q)
            .cast(pl.Float64)
            .alias("quantity_t"),
        )
    )

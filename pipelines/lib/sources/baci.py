"""CEPII BACI (HS92) release: land the zip, list its yearly CSVs, stream one year filtered to HS6.

A release is one zip, e.g. `BACI_HS92_V202601.zip` (1995-2024), holding one CSV per year
(`BACI_HS92_Y{year}_V202601.csv`, header `t,i,j,k,v,q`: year, exporter and importer numeric
codes, HS6 product code written as an integer without its leading zero, value in thousand USD,
quantity in metric tons, blank or "NA" when unknown) plus country and product code lists.

A year holds about 10 million rows for all ~5,000 products, of which only about 1% are minerals,
so a year is never loaded whole: `read_year` streams the member out of the zip in blocks of whole
lines, one thread inflating the next block while Polars parses the current one (both cores busy,
nothing written to disk), and keeps only the mapped product codes of each block, compared as
integers before any string work. At most two blocks and the kept rows are in memory.
`filter_year_to_parquet` writes one year's kept rows to a Parquet file.
"""

import os
import queue
import re
import threading
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl
import requests

from pipelines.lib.errors import SourceDataError, reading
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
    "k": pl.Int32,  # filtered as an integer; the kept rows become "030110" (leading zero back)
    "v": pl.Float64,
    "q": pl.String,  # "NA", sometimes space-padded: cleaned after the filter
}
COLUMNS = ("year", "hs6", "exporter_code", "importer_code", "value_kusd", "quantity_t")
# Inflated bytes per block (~120,000 rows): measured on 10M-row years, 4 MiB parses as fast as
# 32 MiB (parsing dominates, not the per-call cost) and keeps the reader under ~80 MiB.
BLOCK_BYTES = 4 * 1024 * 1024


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
    with reading(SOURCE, zip_path.name), zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()  # an HTML error page saved as .zip: BadZipFile, named
    for name in names:
        m = _YEAR_MEMBER.fullmatch(name.rsplit("/", 1)[-1])
        if not m:
            continue
        year = int(m[1])
        if year in found:
            raise SourceDataError(
                SOURCE, zip_path.name, f"two members for year {year}", values=[found[year], name]
            )
        found[year] = name
    return dict(sorted(found.items()))


def read_year(zip_path: Path | str, year: int, hs6_codes: Iterable[str]) -> pl.DataFrame:
    """One year's rows whose product is in `hs6_codes`, straight from the zip member.

    Columns: year, hs6 (six digits, leading zero restored), exporter_code, importer_code,
    value_kusd, quantity_t (null where BACI has a blank or "NA"). The header is checked first; a
    block that does not parse raises SourceDataError naming the member and its line range.
    """
    zip_path = Path(zip_path)
    wanted = [int(c) for c in _check_codes(hs6_codes)]
    member = _member(zip_path, year)
    where = f"{zip_path.name}:{member}"
    kept: list[pl.DataFrame] = []
    line = 1  # lines before the current block (the header is line 1)
    blocks = _inflated_blocks(zip_path, member)
    try:
        first = next(blocks, b"")
        header, _, first = first.partition(b"\n")
        _check_header(header, where)
        block = first
        while block is not None:
            if block:
                kept.append(_parse_block(block, wanted, where, line))
                line += block.count(b"\n")
            block = next(blocks, None)
    finally:
        blocks.close()  # stops the inflating thread if parsing failed
    if not kept:
        kept.append(_parse_block(b"", wanted, where, line))
    return pl.concat(kept)


def filter_year_to_parquet(
    zip_path: Path | str, year: int, hs6_codes: Iterable[str], out_path: Path | str
) -> int:
    """Write one year, filtered to `hs6_codes`, to `out_path` (Parquet); return rows written.

    Written to a temp file in the same folder, then published with `os.replace`: readers see the
    old file or the complete new one, never a part.
    """
    out_path = Path(out_path)
    df = read_year(zip_path, year, hs6_codes)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        df.write_parquet(tmp)
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return df.height


# --- helpers -----------------------------------------------------------------------------------


def _check_codes(hs6_codes: Iterable[str]) -> list[str]:
    codes = sorted({str(c).strip() for c in hs6_codes})
    bad = [c for c in codes if not re.fullmatch(r"\d{6}", c)]
    if bad or not codes:
        raise ValueError(f"hs6_codes must be non-empty 6-digit strings, got {bad or codes!r}")
    return codes


def _member(zip_path: Path, year: int) -> str:
    members = year_members(zip_path)
    if year not in members:
        raise SourceDataError(
            SOURCE,
            zip_path.name,
            f"no CSV for year {year} in the release",
            values=[str(y) for y in members],
        )
    return members[year]


def _inflated_blocks(zip_path: Path, member: str) -> Iterator[bytes]:
    """The member's bytes in blocks that end at a line break, inflated one block ahead.

    A thread reads (zlib inflates and checks the CRC without holding the GIL) while the caller
    parses the previous block; the queue holds at most two blocks.
    """
    ready: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def inflate() -> None:
        try:
            with zipfile.ZipFile(zip_path) as zf, zf.open(member) as src:
                rest = b""
                while chunk := src.read(BLOCK_BYTES):
                    cut = chunk.rfind(b"\n") + 1
                    if not cut:
                        rest += chunk
                        continue
                    if not put(rest + chunk[:cut]):
                        return
                    rest = chunk[cut:]
                if rest and not put(rest):
                    return
            put(None)
        except BaseException as exc:  # handed to the parsing side, raised there
            put(exc)

    worker = threading.Thread(target=inflate, name=f"inflate {member}", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def _parse_block(block: bytes, wanted: list[int], where: str, line: int) -> pl.DataFrame:
    """Parse a block of lines, keep the rows whose integer product code is wanted, conform them.

    `line` is the file line just before the block, so errors name the file's own line numbers.
    """
    try:
        df = pl.read_csv(
            block or b"\n", has_header=False, new_columns=list(HEADER), schema=_RAW_SCHEMA
        )
    except pl.exceptions.PolarsError as exc:
        last = line + block.count(b"\n")
        raise SourceDataError(
            SOURCE, where, f"cannot parse lines {line + 1}-{last}: {exc}"
        ) from exc
    kept = df.with_row_index("_row").filter(pl.col("k").is_in(wanted))
    q = pl.col("q").str.strip_chars()
    kept = kept.with_columns(
        pl.when(q.is_in(["", "NA"])).then(None).otherwise(q).alias("q"),
    ).with_columns(quantity_t=pl.col("q").cast(pl.Float64, strict=False))
    bad = kept.filter(pl.col("q").is_not_null() & pl.col("quantity_t").is_null())
    if bad.height:
        raise SourceDataError(
            SOURCE,
            where,
            "quantity q is not a number, blank or NA",
            rows=[line + 1 + r for r in bad["_row"].head(10).to_list()],
            field="q",
            values=bad["q"].head(10).to_list(),
        )
    return kept.select(
        pl.col("t").alias("year"),
        pl.col("k").cast(pl.String).str.zfill(6).alias("hs6"),
        pl.col("i").alias("exporter_code"),
        pl.col("j").alias("importer_code"),
        pl.col("v").alias("value_kusd"),
        "quantity_t",
    )


def _check_header(first_line: bytes, where: str) -> None:
    first = first_line.decode("utf-8-sig", errors="replace").strip()
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
        where,
        f"unexpected header: column {pos + 1} is {found!r}, expected {expected!r} "
        f"(header must be {','.join(HEADER)})",
        rows=[1],
        field=expected or found,
        values=list(got),
    )

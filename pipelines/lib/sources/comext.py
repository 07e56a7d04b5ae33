"""Eurostat Comext: the keyless monthly bulk files of EU trade by CN8 and partner.

Evidence (checked 2026-12-07): the files sit in `comext/COMEXT_DATA/PRODUCTS/` of Eurostat's
dissemination file service, `https://ec.europa.eu/eurostat/api/dissemination/files?dir=...` (a
listing) and `?file=comext%2FCOMEXT_DATA%2FPRODUCTS%2F<name>` (a file, behind a redirect), one
7-Zip archive per month named `full_partxixu_v2_<YYYYMM>.7z` (the peer adapter
Varcolacus/critical-materials-atlas `pipeline/adapter_eurostat.py` lists and reads them so;
`full_v2_<YYYY>52.7z` are the annual files in other public pipelines). The archive holds one
comma-separated file with a header; the v2 columns are REPORTER, PARTNER, TRADE_TYPE,
PRODUCT_NC, PRODUCT_SITC, PRODUCT_CPA21, PRODUCT_BEC, PRODUCT_BEC5, PRODUCT_SECTION, FLOW
(1 import, 2 export), STAT_PROCEDURE, SUPPL_UNIT, PERIOD (YYYYMM), VALUE_EUR, VALUE_NAC,
QUANTITY_KG, QUANTITY_SUPPL_UNIT (listed by public Comext pipelines reading the v2 files).
Reporters and partners are ISO 3166 alpha-2 codes (EL for Greece; XU/XI for Great Britain and
Northern Ireland; Q*/X* codes for partners not specified or confidential); a CN8 ending in XX is
a code Eurostat made confidential. Reuse: Eurostat's copyright notice (free, with attribution).
"""

import re
import shutil
import time
from datetime import date
from pathlib import Path

import polars as pl
import requests

from pipelines.lib.errors import SourceDataError, reading
from pipelines.lib.sources.http import DEFAULT_POLICY, RetryPolicy, Sleep
from pipelines.lib.sources.landing import LandedFile, land_file
from pipelines.lib.sources.monthly import lineage
from pipelines.lib.transforms.partner_monthly import RAW_SCHEMA

SOURCE = "eurostat"
BASE_URL = "https://ec.europa.eu"
FILES_PATH = "/eurostat/api/dissemination/files"
FOLDER = "comext%2FCOMEXT_DATA%2FPRODUCTS"
LISTING = "comext_products_listing.txt"
_MONTHLY = re.compile(r"full_partxixu_v2_(\d{6})\.7z")
COLUMNS = (
    "REPORTER",
    "PARTNER",
    "PRODUCT_NC",
    "FLOW",
    "PERIOD",
    "VALUE_EUR",
    "QUANTITY_KG",
    "QUANTITY_SUPPL_UNIT",
    "SUPPL_UNIT",
)


def file_name(month: date) -> str:
    return f"full_partxixu_v2_{month:%Y%m}.7z"


def fetch(
    session: requests.Session,
    *,
    base_url: str,
    months: list[date],
    landing_root: Path,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
) -> list[LandedFile]:
    """Land the listing, then the archive of every wanted month the listing shows."""
    files = base_url.rstrip("/") + FILES_PATH
    listing = land_file(
        session,
        f"{files}?dir={FOLDER}",
        source=SOURCE,
        filename=LISTING,
        landing_root=landing_root,
        policy=policy,
        sleep=sleep,
    )
    published = {m for m in _MONTHLY.findall(Path(listing.path).read_text(errors="replace"))}
    if not published:
        raise SourceDataError(
            SOURCE,
            LISTING,
            "the Comext folder lists no monthly file full_partxixu_v2_<YYYYMM>.7z "
            "(has Eurostat renamed its bulk files?)",
        )
    landed = []
    for month in months:
        if f"{month:%Y%m}" not in published:
            continue  # not published yet (the listing is the publisher's own calendar)
        name = file_name(month)
        landed.append(
            land_file(
                session,
                f"{files}?file={FOLDER}%2F{name}",
                source=SOURCE,
                filename=name,
                landing_root=landing_root,
                expect=None,
                policy=policy,
                sleep=sleep,
            )
        )
    return landed


def parse(
    got: LandedFile, landing_root: Path, hs6_codes: list[str], work_dir: Path
) -> pl.DataFrame:
    """One landed monthly archive -> RAW_SCHEMA rows of the wanted HS6 codes.

    The archive is unpacked into `work_dir` (derived, deleted afterwards), scanned lazily and
    filtered before anything is collected; rows are numbered as lines of the data file."""
    import py7zr

    where = lineage(SOURCE, got, landing_root)
    name = got.path.name
    out = Path(work_dir) / f"comext_{got.sha256[:16]}"
    shutil.rmtree(out, ignore_errors=True)
    try:
        with reading(SOURCE, name), py7zr.SevenZipFile(got.path) as archive:
            members = [m for m in archive.getnames() if not m.endswith("/")]
            if len(members) != 1:
                raise SourceDataError(SOURCE, name, f"expected one data file, found {members}")
            archive.extractall(out)
        data = out / members[0]
        with reading(SOURCE, name):
            header = data.open(encoding="utf-8", errors="replace").readline().strip().split(",")
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise SourceDataError(SOURCE, f"{name}:{members[0]}", "missing columns", values=missing)
        with reading(SOURCE, name):
            rows = (
                pl.scan_csv(data, infer_schema=False)
                .with_row_index("_source_row", offset=2)
                .filter(pl.col("PRODUCT_NC").str.slice(0, 6).is_in(hs6_codes))
                .collect()
            )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if rows.is_empty():
        return pl.DataFrame(schema=RAW_SCHEMA)
    flows = {"1": "M", "2": "X"}
    bad = rows.filter(~pl.col("FLOW").is_in(list(flows)))
    if bad.height:
        raise SourceDataError(
            SOURCE,
            name,
            "FLOW is not 1 or 2",
            rows=bad["_source_row"].to_list(),
            field="FLOW",
            values=bad["FLOW"].to_list(),
        )
    number = lambda c: pl.col(c).cast(pl.Float64, strict=False)  # noqa: E731
    for column in ("VALUE_EUR", "QUANTITY_KG"):
        bad = rows.filter(pl.col(column).is_not_null() & number(column).is_null())
        if bad.height:
            raise SourceDataError(
                SOURCE,
                name,
                "not a number",
                rows=bad["_source_row"].to_list(),
                field=column,
                values=bad[column].to_list(),
            )
    unit = pl.col("SUPPL_UNIT")
    return (
        rows.select(
            period="PERIOD",
            reporter="REPORTER",
            partner_code="PARTNER",
            partner_name=pl.lit(None, pl.String),
            flow=pl.col("FLOW").replace_strict(flows),
            national_code="PRODUCT_NC",
            nomenclature=pl.lit("CN8"),
            value=number("VALUE_EUR"),
            currency=pl.lit("EUR"),
            quantity_kg=number("QUANTITY_KG"),
            supplementary_quantity=pl.when(unit.is_not_null() & (unit != "NO_SU")).then(
                number("QUANTITY_SUPPL_UNIT")
            ),
            supplementary_unit=pl.when(unit != "NO_SU").then(unit),
            confidential=~pl.col("PRODUCT_NC").str.contains(r"^\d{8}$"),
            _source_row=pl.col("_source_row").cast(pl.Int64),
            **where.columns(),
        )
        .select(list(RAW_SCHEMA))
        .cast(RAW_SCHEMA)
    )

"""marts.importer_supply_risk against geopolrisk-py 2.0.1, the GeoPolRisk reference
implementation, on the same inputs: US nickel, US rare earths, Japan's natural graphite and the
US-Japan bloc's nickel, 2022-2024.

The inputs are recomputed here from the raw snapshot files, not read from the warehouse: USGS
world mine production (the newest MCS edition with each year: MCS2024 for 2022, MCS2025 for 2023,
MCS2026 for 2024), the BACI HS92 extract, and WGI political stability of the year itself
(WGIData.csv to 2022, then wgi_pv_1996_2024.csv for WGI's own economies). They are handed to
the package's own `gprs_calc` in its own venv (tests/support/geopolrisk_reference.py), which
picks each raw material's HS codes from its own map. USGS's "Other countries" (and a rounded
world total above the listed rows) is production the mart counts in the world total at no
concentration; the package has no such row, so it gets it as 1,000 equal small producers (their
squared shares add at most 0.0001 to an HHI here).
"""

import csv
import io
import json
import os
import subprocess

import polars as pl
import pytest

from pipelines.lib.paths import PROJECT_ROOT, SNAPSHOT_DIR

pytestmark = pytest.mark.e2e

REFERENCE_PYTHON = PROJECT_ROOT / ".venv" / "geopolrisk" / "bin" / "python"
DRIVER = PROJECT_ROOT / "tests" / "support" / "geopolrisk_reference.py"
BACI = SNAPSHOT_DIR / "baci/hs92/baci_hs92_critical_1995_2024.parquet"
WGI_BULK = SNAPSHOT_DIR / "wgi/WGIData.csv"
WGI_PV = SNAPSHOT_DIR / "wgi/political_stability_1996_2024/wgi_pv_1996_2024.csv"
YEARS = [2022, 2023, 2024]
# (package raw material, its production sheet, the mart's commodity and stage, MCS names)
MATERIALS = {
    "Nickel": ("Nickel", "nickel", "mining", "nicke", "Nickel", "NICKEL"),
    "Rare earth": ("Rare Earths (REO)", "rare_earths", "refining", "raree", "Rare earths",
                   "RARE EARTHS"),
    "Graphite": ("Graphite", "graphite", "mining", "graph", "Graphite", "GRAPHITE (NATURAL)"),
}  # fmt: skip
# (mart importer, package country or region, its members in the package's names)
CASES = [
    ("USA", "nickel", "USA"),
    ("USA", "rare_earths", "USA"),
    ("JPN", "graphite", "Japan"),
    ("USA_JPN", "nickel", "USA_JPN"),
]
REGIONS = {"USA_JPN": ["USA", "Japan"]}
PACKAGE_CODES = {"USA": 842, "JPN": 392}  # the package's Country_ISO codes (= BACI's)
SPLIT = 1000  # producers the unallocated remainder is handed over as


def _number(text: str) -> float | None:
    text = (text or "").replace(",", "").strip()
    try:
        return float(text)
    except ValueError:
        return None  # W, NA, blank, a dash


def _mine_production(year: int, mcs_file: str, mcs2025: str, mcs2026: str) -> dict[str, float]:
    """Country -> mine production in `year`, from the raw file of the newest edition with it;
    'World total' and 'Other countries' as printed. Rows without a number are left out."""
    out: dict[str, float] = {}
    if year == 2024:
        text = (SNAPSHOT_DIR / "usgs_mcs/2026/MCS2026_Commodities_Data.csv").read_bytes()
        for r in csv.DictReader(io.StringIO(text.decode("cp1252"))):
            if (
                r["MCS chapter"] == mcs2026 and r["Section"].startswith("World")
                and r["Statistics"] == "Production" and r["Year"] == "2024"
                and r["Statistics_detail"].startswith("Mine production")
            ):  # fmt: skip
                out[r["Country"].strip()] = _number(r["Value"])
    elif year == 2023:
        path = SNAPSHOT_DIR / "usgs_mcs/2025/MCS2025_World_Data.csv"
        for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
            if r["COMMODITY"].strip() == mcs2025 and r["TYPE"].startswith("Mine production"):
                out[r["COUNTRY"].strip()] = _number(r["PROD_2023"])
    else:
        path = SNAPSHOT_DIR / f"usgs_mcs/2024/mcs2024-{mcs_file}_world.csv"
        reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
        column = next(c for c in reader.fieldnames if c.startswith("Prod_t") and "2022" in c)
        for r in reader:
            out[r["Country"].strip()] = _number(r[column])
    out = {c: v for c, v in out.items() if v is not None}
    world = sum(v for c, v in out.items() if c.lower().startswith("world"))
    other = sum(v for c, v in out.items() if c.lower().startswith("other"))
    listed = {c: v for c, v in out.items() if not c.lower().startswith(("world", "other"))}
    # the mart's world total: the larger of the printed total and the sum of the rows
    total = max(world, sum(listed.values()) + other)
    return {**listed, "_remainder": total - sum(listed.values())}


def production_sheet(material: str) -> tuple[list[dict], dict[tuple[str, int], float]]:
    """The package's production table for one raw material (a row per producer, a column per
    year), and (country, year) -> production, for the expected figures."""
    sheet, _, _, mcs_file, mcs2025, mcs2026 = MATERIALS[material]
    by_year = {y: _mine_production(y, mcs_file, mcs2025, mcs2026) for y in YEARS}
    countries = sorted({c for p in by_year.values() for c in p} - {"_remainder"})
    rows = []
    for i, country in enumerate(countries):
        amounts = [by_year[y].get(country, 0.0) for y in YEARS]
        assert all(a == int(a) for a in amounts), (material, country)  # the package truncates
        code = {"United States": 842, "Japan": 392}.get(country, 100_000 + i)
        rows.append(_producer(country, code, amounts))
    for k in range(SPLIT):  # the remainder, split exactly into whole tonnes
        parts = []
        for y in YEARS:
            whole = round(by_year[y]["_remainder"])
            parts.append(whole // SPLIT + (1 if k < whole % SPLIT else 0))
        rows.append(_producer(f"unallocated {k}", 200_000 + k, parts))
    domestic = {(c, y): by_year[y].get(c, 0.0) for c in ("United States", "Japan") for y in YEARS}
    return rows, domestic


def _producer(country: str, code: int, amounts: list[float]) -> dict:
    row = {"Country": country, "Country_Code": str(code), "Country_ISO": country}
    row.update({str(y): a for y, a in zip(YEARS, amounts, strict=True)})
    return {**row, "unit": "metr. t", "data_source": "USGS MCS"}


def political_stability() -> pl.DataFrame:
    """iso3, year, estimate: WGI's political stability (PV.EST) of the year itself: the bulk
    file up to 2022, the newer file for 2023-2024 for the economies WGI's bulk file lists (the
    newer file also has rows such as R20 "Europe EFTA, nes" and New Caledonia, numsrc 1, that
    WGI's own file does not), Guyana's repeated rows once."""
    text = WGI_BULK.read_text(encoding="utf-8-sig")
    bulk = [r for r in csv.DictReader(io.StringIO(text)) if r["Indicator Code"] == "PV.EST"]
    economies = {r["Country Code"] for r in bulk}
    rows = [(r["Country Code"], y, float(r[str(y)])) for r in bulk for y in YEARS if r.get(str(y))]
    for r in csv.DictReader(io.StringIO(WGI_PV.read_text())):
        if int(r["year"]) > 2022 and r["estimate"] and r["iso3"] in economies:
            rows.append((r["iso3"], int(r["year"]), float(r["estimate"])))
    frame = pl.DataFrame(rows, schema=["iso3", "year", "estimate"], orient="row").unique()
    assert not frame.select("iso3", "year").is_duplicated().any()
    return frame


def trade_rows() -> list[dict]:
    """BACI flows into the US and Japan of the package's codes for the three raw materials, each
    with the partner's WGI political stability of the year normalised as the package does,
    (2.5 - estimate) / 5, or "NA" (its default 0.5) where WGI has no estimate."""
    pv = political_stability()
    flows = (
        pl.read_parquet(BACI)
        .filter(
            pl.col("year").is_in(YEARS),
            pl.col("importer_iso3").is_in(["USA", "JPN"]),
            pl.col("hs92_6").is_in(["260400", "284690", "284610", "280530", "250410", "250490"]),
        )
        # BACI's Taiwan ("S19", code 490) is TWN in WGI
        .with_columns(iso3=pl.col("exporter_iso3").replace({"S19": "TWN"}))
        .join(pv, left_on=["iso3", "year"], right_on=["iso3", "year"], how="left")
    )
    return [
        {
            "period": r["year"],
            "reporterCode": PACKAGE_CODES[r["importer_iso3"]],
            "reporterDesc": r["importer_iso3"],
            "reporterISO": r["importer_iso3"],
            "partnerCode": r["exporter_baci"],
            "partnerDesc": r["iso3"],
            "partnerISO": r["iso3"],
            "cmdCode": int(r["hs92_6"]),
            "qty": r["qty_t"],
            "cifvalue": r["value_kusd"],
            "partnerWGI": "NA" if r["estimate"] is None else (2.5 - r["estimate"]) / 5,
        }
        for r in flows.iter_rows(named=True)
    ]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[tuple[str, str, int], dict]:
    """geopolrisk-py's results, (package country, raw material, year) -> score, hhi, import_risk."""
    assert REFERENCE_PYTHON.exists(), (
        f"{REFERENCE_PYTHON} is missing: `make install` builds it from "
        "tests/support/geopolrisk-requirements.txt (geopolrisk-py 2.0.1 needs Python 3.10-3.11)"
    )
    production = {MATERIALS[m][0]: production_sheet(m)[0] for m in MATERIALS}
    spec = {
        "years": YEARS,
        "countries": sorted({c for _, _, c in CASES}),
        "materials": list(MATERIALS),
        "regions": REGIONS,
        "production": production,
        "trade": trade_rows(),
    }
    home = tmp_path_factory.mktemp("geopolrisk_home")  # the package writes ~/Documents/geopolrisk
    done = subprocess.run(
        [str(REFERENCE_PYTHON), str(DRIVER)],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(home)},
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {(r["country"], r["material"], r["year"]): r for r in json.loads(done.stdout)}


def mart_rows(con) -> dict[tuple[str, str, int], dict]:
    cur = con.execute(
        """SELECT * FROM marts.importer_supply_risk
           WHERE year BETWEEN 2022 AND 2024
             AND (importer_iso3, commodity, stage) IN (('USA', 'nickel', 'mining'),
                 ('USA', 'rare_earths', 'refining'), ('JPN', 'graphite', 'mining'),
                 ('USA_JPN', 'nickel', 'mining'))"""
    )
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {(r["importer_iso3"], r["commodity"], r["year"]): r for r in rows}


def package_material(commodity: str) -> str:
    return next(m for m, spec in MATERIALS.items() if spec[1] == commodity)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize(("importer", "commodity", "country"), CASES)
def test_geopolrisk_within_one_percent_of_geopolrisk_py(
    published, reference, importer, commodity, country, year
):
    con, _, _ = published
    got = mart_rows(con)[(importer, commodity, year)]
    want = reference[(country, package_material(commodity), year)]
    assert got["geopolrisk_null_reason"] is None
    assert got["production_hhi"] == pytest.approx(want["hhi"], rel=1e-3)
    assert got["weighted_instability_method"] == pytest.approx(want["import_risk"], rel=1e-3)
    assert got["geopolrisk"] == pytest.approx(want["score"], rel=0.01)


def test_domestic_production_is_the_hhi_series_own(published):
    """p is the importer's (or the bloc members') mine production in the HHI's own series."""
    con, _, _ = published
    got = mart_rows(con)
    for material in MATERIALS:
        _, domestic = production_sheet(material)
        commodity = MATERIALS[material][1]
        for importer, c, _ in CASES:
            if c != commodity:
                continue
            for year in YEARS:
                members = {"USA": ["United States"], "JPN": ["Japan"]}.get(
                    importer, ["United States", "Japan"]
                )
                want = sum(domestic[(m, year)] for m in members)
                assert got[(importer, commodity, year)]["domestic_production_t"] == want
    # the figures the issue names: US rare earths by REO mine output, Japan mines no graphite
    assert got[("USA", "rare_earths", 2024)]["domestic_production_t"] == 45_500
    assert got[("USA", "rare_earths", 2024)]["production_stage"] == "mining"
    assert got[("JPN", "graphite", 2024)]["domestic_production_t"] == 0


def test_missing_inputs_are_null_with_the_reason(published):
    """US barite (HS17 2511 codes, 2022 and 2024 only): BACI's 2022 HS17 file has no quantity
    column, and USGS withholds US barite mine production for 2024 ("W" in MCS2026). Both rows
    are null with the reason, never a figure computed as if imports or production were 0."""
    con, _, _ = published
    header = (SNAPSHOT_DIR / "baci/hs17/baci_2022.csv").read_text().splitlines()[0]
    assert header == "i,j,cmd,value"  # no quantity column
    text = (SNAPSHOT_DIR / "usgs_mcs/2026/MCS2026_Commodities_Data.csv").read_bytes()
    (us_2024,) = [
        r["Value"]
        for r in csv.DictReader(io.StringIO(text.decode("cp1252")))
        if r["MCS chapter"] == "BARITE" and r["Section"].startswith("World")
        and r["Country"] == "United States" and r["Statistics"] == "Production"
        and r["Year"] == "2024"
    ]  # fmt: skip
    assert us_2024 == "W"
    cur = con.execute(
        """SELECT year, geopolrisk, domestic_production_t, geopolrisk_null_reason
           FROM marts.importer_supply_risk
           WHERE importer_iso3 = 'USA' AND commodity = 'barite' ORDER BY year"""
    )
    got = {y: (g, p, reason) for y, g, p, reason in cur.fetchall()}
    assert got[2022][0] is None and got[2022][2].startswith("no import quantity")
    assert got[2024][:2] == (None, None) and "withheld" in got[2024][2]
    (unexplained,) = con.execute(
        """SELECT count(*) FROM marts.importer_supply_risk
           WHERE (geopolrisk IS NULL) <> (geopolrisk_null_reason IS NOT NULL)"""
    ).fetchone()
    assert unexplained == 0

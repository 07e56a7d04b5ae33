"""The monthly customs publishers replayed on 127.0.0.1 in their real shapes, from real rows.

- UK HMRC OTS (OData JSON pages chained by `@odata.nextLink`, `$expand=Country`): the bundled
  HMRC rows (data/snapshot/partner_monthly), GBP as published. CountryId is the replay's stand-in
  (the ISO numeric code; the client reads the alpha code), FlowTypeId 1/2 for EU partners and
  3/4 for the others as HMRC splits them;
- Eurostat Comext (a folder listing and one 7-Zip archive per month holding the v2 CSV): the
  bundled Comext rows of 2026-06 (EU members' trade with the United Kingdom, partner XU);
- US Census (a list of lists, header first, the total row "-", an empty 204 where nothing
  matches): the bundled Census imports of 2026-06, upper-case names as Census writes them. The
  bundled rows are six-digit, so the replay's HTS-10 codes are the HS6 code followed by 0000;
- e-Stat (the data catalogue JSON, then the CSV it links, with an S-TOTAL subtotal line per
  code): no Japanese customs rows are bundled,
  so the CSV carries Japan's 2024 import declarations of the bundled Comtrade extract (USD),
  written into the June column as if they were thousands of yen: the shape is e-Stat's, the
  figures are not Japan's yen;
- ECB (csvdata): the two bundled ECB files; JPY answers with no observation (no rate is bundled).

`serve(server, rows)` registers the routes; `env(server)` points the resources at them.
Each publisher's rows can be changed between refreshes (`rows["hmrc"] = ...`) to replay a
revision, a shrinking month or a month that vanished.
"""

import csv
import functools
import io
import json
import re
from pathlib import Path
from urllib.parse import urlencode

import polars as pl
import py7zr

from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed

SNAP = SNAPSHOT_DIR / "partner_monthly"
COMEXT_COLUMNS = (
    "REPORTER", "PARTNER", "TRADE_TYPE", "PRODUCT_NC", "PRODUCT_SITC", "PRODUCT_CPA21",
    "PRODUCT_BEC", "PRODUCT_BEC5", "PRODUCT_SECTION", "FLOW", "STAT_PROCEDURE", "SUPPL_UNIT",
    "PERIOD", "VALUE_EUR", "VALUE_NAC", "QUANTITY_KG", "QUANTITY_SUPPL_UNIT",
)  # fmt: skip
JAPAN_CODES = {156: "105", 842: "304", 699: "123", 410: "103"}  # M49 -> Japan Customs


def bundled(name: str) -> pl.DataFrame:
    return pl.read_csv(SNAP / name, infer_schema=False, null_values=[""])


def countries() -> pl.DataFrame:
    ref = pl.read_csv(
        SNAPSHOT_DIR / "reference/country_codes_datahub/country-codes.csv", infer_schema=False
    )
    return ref.select(
        iso3="ISO3166-1-Alpha-3", iso2="ISO3166-1-Alpha-2", numeric="ISO3166-1-numeric"
    ).drop_nulls("iso3")


def initial_rows() -> dict[str, pl.DataFrame]:
    comtrade = pl.read_csv(
        SNAPSHOT_DIR / "comtrade/comtrade_imports_usa_jpn_2022_2024.csv", infer_schema=False
    )
    japan = comtrade.filter(
        (pl.col("reporter") == "392")
        & (pl.col("year") == "2024")
        & pl.col("partner").cast(pl.Int64).is_in(list(JAPAN_CODES))
    )
    return {
        "hmrc": bundled("hmrc_ots_cn8_monthly.csv"),
        "eurostat": bundled("eurostat_comext_cn8_monthly.csv"),
        "uscensus": bundled("uscensus_hs6_monthly.csv").filter(pl.col("flow") == "import"),
        "estat_japan": japan,
    }


# --- UK HMRC --------------------------------------------------------------------------------

_HS6 = re.compile(r"Commodity/Hs6Code eq '(\d{6})'")
_MONTHS = re.compile(r"MonthId ge (\d{6}) and MonthId le (\d{6})")


def hmrc_records(rows: pl.DataFrame) -> list[dict]:
    ref = countries()
    iso2 = dict(ref.select("iso3", "iso2").rows())
    numeric = dict(ref.select("iso3", "numeric").rows())
    eu = set(load_seed("eu_membership")["iso3"])
    out = []
    for r in rows.iter_rows(named=True):
        partner = r["partner"]
        inside = partner in eu
        flow = (1 if inside else 3) if r["flow"] == "import" else (2 if inside else 4)
        country = (
            {"CountryId": 959, "CountryCodeAlpha": None, "CountryName": r["partner_name"]}
            if partner == "n/a"
            else {
                "CountryId": int(numeric[partner]),
                "CountryCodeAlpha": iso2[partner],
                "CountryName": r["partner_name"],
            }
        )
        out.append(
            {
                "MonthId": int(r["period"]),
                "FlowTypeId": flow,
                "SuppressionIndex": 1 if r["confidential"] == "true" else 0,
                "CommodityId": int(r["native_code"]),
                "CountryId": country["CountryId"],
                "PortId": 0,
                "Value": float(r["value"]),
                "NetMass": None if r["qty_kg"] is None else float(r["qty_kg"]),
                "SuppUnit": 0.0,
                "Country": country,
            }
        )
    return out


def hmrc_handler(server, rows: dict, page_size: int = 150):
    def handler(query):
        filt = query["$filter"][0]
        hs6 = _HS6.search(filt)[1]
        first, last = _MONTHS.search(filt).groups()
        frame = rows["hmrc"].filter(
            (pl.col("hs6") == hs6) & pl.col("period").is_between(pl.lit(first), pl.lit(last))
        )
        records = hmrc_records(frame)
        skip = int(query.get("$skip", ["0"])[0])
        body = {
            "@odata.context": server.url("/$metadata#OTS"),
            "value": records[skip : skip + page_size],
        }
        if skip + page_size < len(records):
            more = {"$filter": filt, "$expand": "Country", "$skip": skip + page_size}
            body["@odata.nextLink"] = server.url("/OTS?" + urlencode(more))
        return 200, {}, body

    return handler


# --- Eurostat Comext ------------------------------------------------------------------------


def comext_archive(rows: pl.DataFrame, period: str) -> bytes:
    ref = countries()
    iso2 = {**dict(ref.select("iso3", "iso2").rows()), "GRC": "EL"}
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COMEXT_COLUMNS)
    for r in rows.filter(pl.col("period") == period).iter_rows(named=True):
        value = {
            "REPORTER": iso2[r["reporter"]],
            "PARTNER": "XU" if r["partner"] == "GBR" else iso2[r["partner"]],
            "TRADE_TYPE": "E",
            "PRODUCT_NC": r["native_code"],
            "FLOW": "1" if r["flow"] == "import" else "2",
            "STAT_PROCEDURE": "1",
            "SUPPL_UNIT": "NO_SU",
            "PERIOD": r["period"],
            "VALUE_EUR": r["value"],
            "VALUE_NAC": r["value"],
            "QUANTITY_KG": r["qty_kg"] or "",
            "QUANTITY_SUPPL_UNIT": "0",
        }
        writer.writerow([value.get(c, "") for c in COMEXT_COLUMNS])
    return _seven_zip(text.getvalue(), f"full_partxixu{period}.dat")


@functools.cache
def _seven_zip(text: str, member: str) -> bytes:
    """The same rows give the same bytes (7-Zip records a time: the archive is built once), as
    the publisher's unchanged file does."""
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.writestr(text, member)
    return buffer.getvalue()


def comext_handler(rows: dict):
    def handler(query):
        periods = sorted(set(rows["eurostat"]["period"]))
        if "dir" in query:
            listing = [{"name": f"full_partxixu_v2_{p}.7z", "type": "file"} for p in periods]
            return 200, {"Content-Type": "application/json"}, json.dumps(listing)
        name = query["file"][0].rsplit("/", 1)[-1]
        period = re.fullmatch(r"full_partxixu_v2_(\d{6})\.7z", name)[1]
        body = comext_archive(rows["eurostat"], period)
        return 200, {"Content-Type": "application/x-7z-compressed"}, body

    return handler


# --- US Census --------------------------------------------------------------------------------


def census_handler(rows: dict):
    def handler(query):
        assert query["COMM_LVL"] == ["HS10"] and query["SUMMARY_LVL"] == ["DET"], query
        prefix = query["I_COMMODITY"][0].rstrip("*")
        first, last = re.fullmatch(r"from (\S+) to (\S+)", query["time"][0]).groups()
        frame = rows["uscensus"].filter(
            pl.col("native_code").str.starts_with(prefix)
            & pl.col("period").is_between(
                pl.lit(first.replace("-", "")), pl.lit(last.replace("-", ""))
            )
        )
        if frame.is_empty():
            return 204, {}, b""
        header = [*query["get"][0].split(","), "COMM_LVL", "SUMMARY_LVL", "time"]
        numeric = dict(countries().select("iso3", "numeric").rows())
        body = [header]
        for (period, code), part in frame.group_by("period", "native_code", maintain_order=True):
            month = f"{period[:4]}-{period[4:]}"
            hts = code + "0000"
            total = sum(float(v) for v in part["value"])
            body.append(
                [
                    "-",
                    "TOTAL FOR ALL COUNTRIES",
                    hts,
                    str(int(total)),
                    "0",
                    "-",
                    "HS10",
                    "DET",
                    month,
                ]
            )
            for r in part.iter_rows(named=True):
                body.append(
                    [
                        numeric[r["partner"]],
                        r["partner_name"].upper(),
                        hts,
                        str(int(float(r["value"]))),
                        "0",
                        "-",
                        "HS10",
                        "DET",
                        month,
                    ]
                )
        return 200, {}, body

    return handler


# --- e-Stat -------------------------------------------------------------------------------------

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def estat_csv(rows: pl.DataFrame, year: str) -> str:
    head = [
        "Exp or Imp",
        "Year",
        "HS",
        "Country",
        "Unit1",
        "Unit2",
        "Quantity1-Year",
        "Quantity2-Year",
        "Value-Year",
    ]
    for m in MONTH_NAMES:
        head += [f"Quantity1-{m}", f"Quantity2-{m}", f"Value-{m}"]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(head)
    subtotal = (
        rows.group_by("cmd", maintain_order=True)  # the same rows give the same bytes
        .agg(pl.col("value").cast(pl.Float64).sum(), pl.col("netwgt").cast(pl.Float64).sum())
        .with_columns(partner=pl.lit("S-TOTAL"))
    )
    for r in pl.concat([rows.select(subtotal.columns), subtotal.cast(pl.String)]).iter_rows(
        named=True
    ):
        kg = round(float(r["netwgt"] or 0))
        value = round(float(r["value"]) / 1000)  # written as if thousands of yen (module doc)
        months = []
        for m in MONTH_NAMES:
            months += ["0", str(kg), str(value)] if m == "Jun" else ["0", "0", "0"]
        code = f"'{r['cmd']}000'"
        # the subtotal line of each code (S-TOTAL); an unknown code is passed through as is
        partner = r["partner"]
        country = JAPAN_CODES.get(int(partner), partner) if partner.isdigit() else partner
        writer.writerow(["2", year, code, country, "", "KG", "0", str(kg), str(value), *months])
    return text.getvalue()


def estat_handlers(server, rows: dict):
    def catalog(query):
        assert query["appId"] and query["statsCode"] == ["00350300"], query
        year = query["surveyYears"][0]
        resource = {  # one resource: e-Stat sends it as an object, not a list
            "@id": f"0000{year}",
            "TITLE": {"NAME": f"{year}年 品別国別表 輸入"},
            "URL": server.url(f"/stat-search/file-download?statInfId=0000{year}&fileKind=1"),
            "FORMAT": "CSV",
        }
        body = {
            "GET_DATA_CATALOG": {
                "RESULT": {"STATUS": 0, "ERROR_MSG": "正常に終了しました。"},
                "DATA_CATALOG_LIST_INF": {
                    "NUMBER": 1,
                    "DATA_CATALOG_INF": [
                        {
                            "DATASET": {"TITLE": {"NAME": "普通貿易統計"}},
                            "RESOURCES": {"RESOURCE": resource},
                        }
                    ],
                },
            }
        }
        return 200, {}, body

    def download(query):
        year = query["statInfId"][0][4:]
        return 200, {"Content-Type": "text/csv"}, estat_csv(rows["estat_japan"], year)

    return catalog, download


# --- ECB ------------------------------------------------------------------------------------------


def ecb_handler(ccy: str):
    files = {"USD": "ecb_exr_usd_eur_monthly.csv", "GBP": "ecb_exr_gbp_eur_monthly.csv"}

    def handler(query):
        assert query["format"] == ["csvdata"], query
        if ccy in files:
            return 200, {"Content-Type": "text/csv"}, (SNAP / files[ccy]).read_bytes()
        header = (SNAP / files["USD"]).read_text().splitlines()[0]
        return 200, {"Content-Type": "text/csv"}, header + "\n"

    return handler


def serve(server, rows: dict) -> None:
    server.route("/OTS", hmrc_handler(server, rows))
    server.route("/eurostat/api/dissemination/files", comext_handler(rows))
    server.route("/data/timeseries/intltrade/imports/hs", census_handler(rows))
    catalog, download = estat_handlers(server, rows)
    server.route("/rest/3.0/app/json/getDataCatalog", catalog)
    server.route("/stat-search/file-download", download)
    for ccy in ("USD", "GBP", "JPY"):
        server.route(f"/service/data/EXR/M.{ccy}.EUR.SP00.A", ecb_handler(ccy))


def env(server) -> dict[str, str]:
    return {
        "MINERALS_HMRC_BASE_URL": server.base_url,
        "MINERALS_EUROSTAT_BASE_URL": server.base_url,
        "MINERALS_CENSUS_BASE_URL": server.base_url,
        "MINERALS_ESTAT_BASE_URL": server.base_url,
        "MINERALS_ECB_BASE_URL": server.base_url,
    }


def landed_files(landing: Path, source: str) -> list[Path]:
    return sorted(p for p in (landing / source).rglob("*") if p.is_file() and p.suffix != ".jsonl")

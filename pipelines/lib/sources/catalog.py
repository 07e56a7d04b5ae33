"""The source registry: one entry per source, read by everything that needs to know about one.

Each `Source` says which snapshot files ship, how live mode gets the source and through which
environment variables, its licence and citation, when the publisher releases a new edition and
how long a landing stays fresh. Read by: the settings (`pipelines/lib/settings.py`: each source's
variables, beside the general ones), the exports manifest
(`pipelines/lib/exports.py`), `minerals status` (`next_release_due`, `release_hints`) and the
freshness policies on the raw assets (`pipelines/defs/serving/schedules.py`).

Live locations, checked against public material (see each entry's `evidence`):
- USGS: ScienceBase items, file links resolved from `catalog/item/<id>?format=json&fields=files`.
- IEA: no keyless download exists (the Critical Minerals Dataset needs a free IEA login): the user
  drops the workbook into the inbox, `data/inbox/iea/`.
- CEPII BACI: `https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS92_V202601.zip`.
- UN Comtrade: API v1 (`/public/v1/preview/C/A/HS`, keyed `/data/v1/get/C/A/HS`).
- World Bank: API v2, WGI is source 3, `GOV_WGI_<dim>.EST` since the 2026 rename.
"""

import datetime
from dataclasses import dataclass, field

from pipelines.lib.paths import PROJECT_ROOT

DEFAULT_INBOX_DIR = PROJECT_ROOT / "data" / "inbox"


@dataclass(frozen=True)
class Setting:
    """One environment variable and the field it sets: a resource's ("sources", "warehouse"),
    the executor's ("run", read when the definitions load) or the process's ("process").
    `pipelines/lib/settings.py` lists them all and reads them."""

    env: str
    field: str
    default: str | None
    what: str
    resource: str = "sources"
    secret: bool = False  # an API key: its value is masked wherever text leaves the process


def deadline_setting(name: str, field: str, minutes: int) -> Setting:
    """How long one download (or API call) from a source may take in all, every retry and wait
    included: a server that trickles bytes fails a scheduled refresh then, instead of holding
    it for hours (what arrived of a file is kept, and the next run resumes it)."""
    return Setting(
        f"MINERALS_{name}_DEADLINE_S",
        field,
        str(60 * minutes),
        f"seconds one {name.title()} download or API call may take, retries included, before "
        "the refresh fails saying so (what arrived of a file is kept and resumed next time)",
    )


@dataclass(frozen=True)
class UsgsFile:
    """A file of a USGS ScienceBase item (a data release)."""

    item_id: str
    filename: str


@dataclass(frozen=True)
class Source:
    key: str  # as in meta.source_files.source
    name: str
    publisher: str
    licence: str
    citation: str
    used_for: tuple[str, ...]
    raw_assets: tuple[str, ...]  # raw tables this source feeds
    snapshot_files: tuple[str, ...]  # under data/snapshot/
    live: str  # how live mode gets it, in words (docs/sources.md)
    settings: tuple[Setting, ...]
    cadence: str  # when the publisher releases
    # (years after the latest edition or data year, month, day) the next edition is due
    next_release: tuple[int, int, int] | None
    freshness_days: tuple[int, int] = (370, 400)  # (warn, fail) without a new landing
    doi: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


USGS_LIVE_FILES = (
    # MCS2025 world production, capacity and reserves (ScienceBase item 6798fd34d34ea8c18376e8ee)
    UsgsFile("6798fd34d34ea8c18376e8ee", "MCS2025_World_Data.csv"),
    # MCS2026 data release, all chapters (doi:10.5066/P1WKQ63T, item 696a75d5d4be0228872d3bf8)
    UsgsFile("696a75d5d4be0228872d3bf8", "MCS2026_Commodities_Data.csv"),
)
BACI_RELEASE = "V202601"  # 1995-2024; CEPII publishes one release a year, in January
BACI_RELEASE_URL = f"https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS92_{BACI_RELEASE}.zip"
# (warn, fail) days without a new landing for the monthly customs sources
MONTHLY_FRESHNESS = (45, 75)
IEA_DATASET_PAGE = (
    "https://www.iea.org/data-and-statistics/data-tools/critical-minerals-data-explorer"
)

SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            key="usgs_mcs",
            name="USGS Mineral Commodity Summaries (data releases 2022-2026)",
            publisher="U.S. Geological Survey",
            licence="US public domain (MCS2026 data release: CC0 1.0)",
            citation="U.S. Geological Survey, Mineral commodity summaries data releases",
            doi=(
                "https://doi.org/10.5066/P9KKMCP4",
                "https://doi.org/10.5066/P9WCYUI6",
                "https://doi.org/10.5066/P144BA54",
                "https://doi.org/10.5066/P13XCP3R",
                "https://doi.org/10.5066/P1WKQ63T",
            ),
            used_for=("production", "country_share", "supply_concentration"),
            raw_assets=("raw.usgs_mcs_production",),
            snapshot_files=(
                "usgs_mcs/2022",
                "usgs_mcs/2023",
                "usgs_mcs/2024",
                "usgs_mcs/2025/MCS2025_World_Data.csv",
                "usgs_mcs/2026/MCS2026_Commodities_Data.csv",
            ),
            live="the ScienceBase item JSON of each current release "
            "(`<base>/item/<id>?format=json&fields=files`) gives each file's download link; the "
            "file is landed (MCS2025 world data, MCS2026 data release). MCS2022-2024 are archived "
            "editions and come from the snapshot.",
            settings=(
                Setting(
                    "MINERALS_USGS_BASE_URL",
                    "usgs_base_url",
                    "https://www.sciencebase.gov/catalog",
                    "USGS ScienceBase catalog",
                ),
                deadline_setting("USGS", "usgs_deadline_s", 10),
            ),
            cadence="yearly, late January / early February",
            next_release=(1, 2, 15),
            evidence=(
                "ScienceBase item JSON `?format=json&fields=files` lists `files[]` with `name`, "
                "`url`, `downloadUri`, `size`: used so by other projects' download scripts "
                "(e.g. MCS item 6798fd34d34ea8c18376e8ee read through that URL in a public "
                "TypeScript client; sciencebasepy users read `files[].url`).",
            ),
        ),
        Source(
            key="usgs_myb",
            name="USGS Minerals Yearbook 2022 rare-earth tables and DS-140 rare-earth statistics",
            publisher="U.S. Geological Survey",
            licence="US public domain",
            citation="U.S. Geological Survey, 2022 Minerals Yearbook, Rare earths (tables, posted "
            "2025-03-19); Kelly, T.D., and Matos, G.R., comps., Historical statistics for mineral "
            "and material commodities in the United States, USGS Data Series 140 (rare earths)",
            used_for=("prices",),
            raw_assets=("raw.usgs_myb_prices",),
            snapshot_files=(
                "usgs_myb/myb1-2022-raree_tables.xlsx",
                "usgs_myb/ds140-rare-earths-2020.xlsx",
            ),
            live="archived editions: from the snapshot (the yearbook tables and DS-140 are "
            "static workbooks; a newer yearbook edition is a reviewed snapshot change).",
            settings=(),
            cadence="yearly, the yearbook tables about two years after the data year",
            next_release=None,
        ),
        Source(
            key="iea",
            name="IEA Critical Minerals Data Explorer",
            publisher="International Energy Agency",
            licence="CC BY 4.0",
            citation="IEA (2024), Critical Minerals Data Explorer, IEA, Paris "
            "https://www.iea.org/data-and-statistics/data-tools/critical-minerals-data-explorer",
            used_for=("production (refining)", "country_share", "supply_concentration"),
            raw_assets=("raw.iea_supply",),
            snapshot_files=(
                "iea/CM_Data_Explorer_May2024.xlsx",
                "iea/iea_cm_data_explorer_2025ed_derived.json",
            ),
            live="no keyless download exists: log in (free IEA account) at "
            f"{IEA_DATASET_PAGE}, download the workbook (.xlsx) and put it in `data/inbox/iea/`; "
            "live mode lands the newest file there (checksum, index entry) and fails, saying so, "
            "when there is none. The 2025 edition (third-party JSON) comes from the snapshot.",
            settings=(
                Setting(
                    "MINERALS_INBOX_DIR",
                    "inbox_dir",
                    str(DEFAULT_INBOX_DIR.relative_to(PROJECT_ROOT)),
                    "where you put files that need a login to download (`iea/`)",
                ),
            ),
            cadence="yearly, with the Global Critical Minerals Outlook in May",
            next_release=(1, 6, 1),
            evidence=(
                "The workbook's own Notice sheet cites the Data Explorer page; the download "
                "needs an IEA account (no public file URL).",
            ),
            extra={
                "page": IEA_DATASET_PAGE,
                "inbox": "iea",
                "patterns": ("*.xlsx",),
                "expect": "xlsx",  # checked before landing: an HTML page is refused
            },
        ),
        Source(
            key="baci",
            name="CEPII BACI bilateral trade (HS92 1995-2024; HS2017 2022 and 2024)",
            publisher="CEPII",
            licence="Etalab Open Licence 2.0 (attribution)",
            citation="Gaulier, G. and Zignago, S. (2010), BACI: International Trade Database at "
            "the Product-Level, CEPII Working Paper 2010-23",
            used_for=("trade_flows", "import_dependence"),
            raw_assets=("raw.baci_flows", "raw.baci_flows_hs17"),
            snapshot_files=("baci/hs92/baci_hs92_critical_1995_2024.parquet", "baci/hs17/"),
            live=f"the release zip (`BACI_HS92_{BACI_RELEASE}.zip`, 1995-2024) is landed, each "
            "requested year's CSV streamed out and filtered to the mapped HS6 codes; a requested "
            "year the release lacks is an error. HS2017 comes from the snapshot.",
            settings=(
                Setting(
                    "MINERALS_BACI_RELEASE_URL",
                    "baci_release_url",
                    BACI_RELEASE_URL,
                    "the BACI release zip to download in live mode",
                ),
                # about 2 GB: a slow line lands it over several runs (downloads resume)
                deadline_setting("BACI", "baci_deadline_s", 30),
            ),
            cadence="yearly, in January (data for year Y arrive in the release of Y+2)",
            next_release=(3, 2, 15),
            evidence=(
                "CEPII release V202601 at https://www.cepii.fr/DATA_DOWNLOAD/baci/data/"
                "BACI_HS07_V202601.zip in another project's setup (same folder and naming); "
                "members BACI_HS92_Y<year>_V202601.csv",
            ),
            extra={"release": BACI_RELEASE},
        ),
        Source(
            key="comtrade",
            name="UN Comtrade declarations (US and Japanese imports; China's monthly exports)",
            publisher="UN Statistics Division",
            licence="free use with attribution, no bulk redistribution",
            citation="UN Comtrade database, https://comtradeplus.un.org",
            used_for=(
                "comtrade_flows (check of BACI)",
                "trade_monthly (China's monthly exports: export-control event study, alerts)",
            ),
            raw_assets=("raw.comtrade_flows", "raw.comtrade_monthly"),
            snapshot_files=(
                "comtrade/comtrade_imports_usa_jpn_2022_2024.csv",
                "comtrade/china_exports_monthly/deep_dive_hs6_monthly.csv",
            ),
            live="API v1: the keyed `data/v1/get` endpoint when `COMTRADE_API_KEY` is set, else "
            "the keyless preview (500 records per call); split by flow, at most 12 periods per "
            "call, re-split when an answer comes back at the cap. China's monthly exports: the "
            "same client on `/C/M/HS` (reporter 156, flow X, every partner, the measures' codes, "
            "2022-01 to last month).",
            settings=(
                Setting(
                    "MINERALS_COMTRADE_BASE_URL",
                    "comtrade_base_url",
                    "https://comtradeapi.un.org",
                    "UN Comtrade API v1",
                ),
                Setting(
                    "COMTRADE_API_KEY",
                    "comtrade_api_key",
                    None,
                    "keyed endpoint (100,000 records per call); unset = keyless preview",
                    secret=True,
                ),
                deadline_setting("COMTRADE", "comtrade_deadline_s", 10),
            ),
            cadence="continuous; a year's declarations are complete by the autumn of Y+2",
            next_release=(2, 9, 1),
            evidence=(
                "comtradeapicall (official client; uncomtrade/comtradeapicall) paths, preview "
                "cap of 500 records and the Ocp-Apim-Subscription-Key header; comtradr refuses "
                "more than 12 periods per query (ropensci/comtradr#63).",
            ),
        ),
        Source(
            key="wgi",
            name="World Bank Worldwide Governance Indicators",
            publisher="World Bank",
            licence="CC BY 4.0",
            citation="Kaufmann, D. and Kraay, A., Worldwide Governance Indicators, "
            "www.govindicators.org",
            used_for=("governance", "supply_risk"),
            raw_assets=(),
            snapshot_files=("wgi/WGIData.csv",),
            live="World Bank API v2, source 3, the six `GOV_WGI_<dim>.EST` estimates (the API "
            "renamed the series in 2026 and dropped percentile ranks: they are computed here per "
            "year from the estimates); the vintage (`lastupdated`) is recorded.",
            settings=(
                Setting(
                    "MINERALS_WORLDBANK_BASE_URL",
                    "worldbank_base_url",
                    "https://api.worldbank.org/v2",
                    "World Bank API v2 (WGI, source 3)",
                ),
                deadline_setting("WORLDBANK", "worldbank_deadline_s", 10),
            ),
            cadence="yearly, in the autumn",
            # the update with data to year Y comes out in the autumn of Y+1 (the 2023 update,
            # data to 2022, in September 2023), so the one after the latest is due in Y+2
            next_release=(2, 10, 1),
            evidence=(
                "Public clients use `GOV_WGI_PV.EST` etc. with `source=3`; old codes answer "
                "HTTP 200 with message id 175 'The indicator was not found. It may have been "
                "deleted or archived.'",
            ),
        ),
        Source(
            key="hmrc",
            name="UK HMRC Overseas Trade Statistics (monthly, 8-digit commodity codes)",
            publisher="HM Revenue & Customs",
            licence="Open Government Licence v3.0",
            citation="HM Revenue & Customs, Overseas Trade Statistics, https://www.uktradeinfo.com",
            used_for=("partner_monthly (UK imports and exports by CN8 line and partner)",),
            raw_assets=("raw.partner_monthly_hmrc",),
            snapshot_files=("partner_monthly/hmrc_ots_cn8_monthly.csv",),
            live="the keyless OTS OData API (`<base>/OTS?$filter=Commodity/Hs6Code eq '<hs6>' and "
            "MonthId ge .. le ..&$expand=Country`), one query per HS6, every `@odata.nextLink` "
            "page landed as a file; 2024-01 to last month.",
            settings=(
                Setting(
                    "MINERALS_HMRC_BASE_URL",
                    "hmrc_base_url",
                    "https://api.uktradeinfo.com",
                    "UK HMRC Overseas Trade Statistics API (OData, keyless)",
                ),
            ),
            cadence="monthly, about six weeks after the month",
            next_release=None,
            freshness_days=MONTHLY_FRESHNESS,
            evidence=(
                "uktradeinfo API documentation as used by pvdmeulen/uktrade (load_ots: MonthId, "
                "FlowTypeId 1-4, SuppressionIndex, CommodityId, CountryId, Value, NetMass) and "
                "sebasijan/uk-trade-info (Commodity/Hs2Code filters); the peer adapter "
                "Varcolacus/critical-materials-atlas pipeline/adapter_hmrc.py ($expand=Country, "
                "@odata.nextLink, plain-text throttling answers).",
            ),
        ),
        Source(
            key="eurostat",
            name="Eurostat Comext (EU member states' monthly trade, CN8)",
            publisher="Eurostat",
            licence="Eurostat copyright notice: reuse free of charge with attribution",
            citation="Eurostat, Comext international trade in goods, detailed data (CN8), "
            "https://ec.europa.eu/eurostat/comext",
            used_for=("partner_monthly (EU members' imports and exports by CN8 line and partner)",),
            raw_assets=("raw.partner_monthly_eurostat",),
            snapshot_files=("partner_monthly/eurostat_comext_cn8_monthly.csv",),
            live="the keyless bulk files of `comext/COMEXT_DATA/PRODUCTS/`: the folder listing, "
            "then each month's `full_partxixu_v2_<YYYYMM>.7z` it lists (2024-01 to last month), "
            "landed, unpacked beside the warehouse and filtered to the HS6 codes.",
            settings=(
                Setting(
                    "MINERALS_EUROSTAT_BASE_URL",
                    "eurostat_base_url",
                    "https://ec.europa.eu",
                    "Eurostat's dissemination file service (Comext bulk files)",
                ),
            ),
            cadence="monthly, about 40 days after the month; past months revised",
            next_release=None,
            freshness_days=MONTHLY_FRESHNESS,
            evidence=(
                "The peer adapter Varcolacus/critical-materials-atlas pipeline/adapter_eurostat.py "
                "(listing and file URLs, full_partxixu_v2_<YYYYMM>.7z, PRODUCT_NC/REPORTER/"
                "PARTNER/FLOW/PERIOD/VALUE_EUR/QUANTITY_KG); the 17 v2 columns as listed by "
                "public Comext pipelines.",
            ),
        ),
        Source(
            key="uscensus",
            name="US Census Bureau International Trade API (monthly imports, HTS-10)",
            publisher="U.S. Census Bureau",
            licence="US public domain",
            citation="U.S. Census Bureau, International Trade Data API, "
            "https://www.census.gov/data/developers/data-sets/international-trade.html",
            used_for=("partner_monthly (US imports by HTS-10 line and country of origin)",),
            raw_assets=("raw.partner_monthly_uscensus",),
            snapshot_files=("partner_monthly/uscensus_hs6_monthly.csv",),
            live="`<base>/data/timeseries/intltrade/imports/hs` with COMM_LVL=HS10, "
            "SUMMARY_LVL=DET, I_COMMODITY=<hs6>* and a time range (2024-01 to last month), one "
            "answer per HS6 landed; `CENSUS_API_KEY` is optional (500 queries a day per IP "
            "address without one).",
            settings=(
                Setting(
                    "MINERALS_CENSUS_BASE_URL",
                    "census_base_url",
                    "https://api.census.gov",
                    "US Census Bureau data API",
                ),
                Setting(
                    "CENSUS_API_KEY",
                    "census_api_key",
                    None,
                    "free key (api.census.gov/data/key_signup.html); unset = keyless, 500 queries "
                    "a day per IP address",
                    secret=True,
                ),
            ),
            cadence="monthly, about five weeks after the month",
            next_release=None,
            freshness_days=MONTHLY_FRESHNESS,
            evidence=(
                "Census Data API user guide (Query Limits, API Key); public clients' recorded "
                "answers of intltrade/imports/hs (list of lists, CTY_CODE '-' total, SUMMARY_LVL "
                "DET/CGP, COMM_LVL HS10, GEN_VAL_MO, GEN_QY1_MO, UNIT_QY1); the peer adapter "
                "pipeline/adapter_uscensus.py.",
            ),
        ),
        Source(
            key="estat_japan",
            name="Japan Trade Statistics via e-Stat (monthly imports, 9-digit codes)",
            publisher="Ministry of Finance, Japan (Japan Customs), on e-Stat",
            licence="e-Stat terms of use (Government of Japan Standard Terms of Use, CC BY "
            "4.0 compatible)",
            citation="Ministry of Finance, Trade Statistics of Japan, via e-Stat "
            "(https://www.e-stat.go.jp, statistics code 00350300)",
            used_for=("partner_monthly (Japan's imports by 9-digit code and country)",),
            raw_assets=("raw.partner_monthly_estat_japan",),
            snapshot_files=(),
            live="the e-Stat API's data catalogue (`getDataCatalog`, statistics code 00350300, "
            "'品別国別表', CSV) lists each year's import files; each is landed and read. Needs "
            "`ESTAT_APP_ID`; without it the source is skipped with a warning.",
            settings=(
                Setting(
                    "MINERALS_ESTAT_BASE_URL",
                    "estat_base_url",
                    "https://api.e-stat.go.jp",
                    "e-Stat API (Japan's official statistics)",
                ),
                Setting(
                    "ESTAT_APP_ID",
                    "estat_app_id",
                    None,
                    "e-Stat application id (free: https://www.e-stat.go.jp/api/); unset = Japan "
                    "skipped, with a warning",
                    secret=True,
                ),
            ),
            cadence="monthly (provisional, then confirmed figures)",
            next_release=None,
            freshness_days=MONTHLY_FRESHNESS,
            evidence=(
                "e-Stat API getDataCatalog (appId, statsCode, searchWord, dataType, surveyYears; "
                "RESOURCE.URL) as used by estatapi (R) and other public clients; the CSV layout "
                "(Exp or Imp, Year, HS, Country, Unit1, Unit2, Quantity1/2 and Value per month, "
                "thousand yen) from public e-Stat trade readers.",
            ),
        ),
        Source(
            key="comexstat",
            name="Brazil Comex Stat (monthly trade, NCM8)",
            publisher="Ministry of Development, Industry, Trade and Services (MDIC), Brazil",
            licence="Brazilian open data (attribution)",
            citation="MDIC, Comex Stat, https://comexstat.mdic.gov.br",
            used_for=("partner_monthly (Brazil's imports and exports by NCM8 line and partner)",),
            raw_assets=("raw.partner_monthly_comexstat",),
            snapshot_files=("partner_monthly/comexstat_ncm8_monthly.csv",),
            live="no live client yet: the snapshot's 2025-01..2026-07 rows only (a live refresh "
            "says so and keeps the rows published before).",
            settings=(),
            cadence="monthly, in the first week after the month",
            next_release=None,
            freshness_days=MONTHLY_FRESHNESS,
        ),
        Source(
            key="ecb",
            name="ECB reference exchange rates (monthly averages)",
            publisher="European Central Bank",
            licence="ECB statistics: reuse free of charge, source quoted",
            citation="European Central Bank, ECB Data Portal, EXR.M.<CCY>.EUR.SP00.A",
            used_for=("partner_monthly.value_usd (GBP, EUR and JPY to USD)",),
            raw_assets=("raw.ecb_fx_monthly",),
            snapshot_files=(
                "partner_monthly/ecb_exr_usd_eur_monthly.csv",
                "partner_monthly/ecb_exr_gbp_eur_monthly.csv",
            ),
            live="the ECB Data Portal API, `<base>/service/data/EXR/M.<CCY>.EUR.SP00.A?format="
            "csvdata` for USD, GBP and JPY, landed.",
            settings=(
                Setting(
                    "MINERALS_ECB_BASE_URL",
                    "ecb_base_url",
                    "https://data-api.ecb.europa.eu",
                    "ECB Data Portal API (exchange rates)",
                ),
            ),
            cadence="daily rates; monthly averages after each month",
            next_release=None,
            freshness_days=MONTHLY_FRESHNESS,
            evidence=("The peer project's pipeline/fx.py and its two ECB csvdata files.",),
        ),
    )
}


def manifest_sources() -> list[dict]:
    """Sources and licences as the exports manifest lists them."""
    out = []
    for s in SOURCES.values():
        entry = {
            "name": s.name,
            "publisher": s.publisher,
            "licence": s.licence,
            "citation": s.citation,
        }
        if s.doi:
            entry["doi"] = list(s.doi)
        entry["used_for"] = list(s.used_for)
        out.append(entry)
    return out


def next_release_due(key: str, latest_year: int) -> tuple[datetime.date | None, str]:
    """When the edition after `latest_year` is due, and the publisher's cadence in words."""
    source = SOURCES.get(key)
    if source is None or source.next_release is None:
        return None, source.cadence if source else "unknown"
    lag, month, day = source.next_release
    return datetime.date(latest_year + lag, month, day), f"{source.name}: {source.cadence}"


def release_hints(today: datetime.date, baci_release_url: str | None = None) -> list[str]:
    """Things `minerals status` should suggest, e.g. a newer BACI release is probably out."""
    baci_release_url = baci_release_url or BACI_RELEASE_URL
    hints = []
    release = baci_release_url.rsplit("_", 1)[-1].removesuffix(".zip")  # V202601
    if len(release) == 7 and release[1:].isdigit():
        year = int(release[1:5])
        newer = f"V{today.year}01"
        if today >= datetime.date(today.year, 2, 1) and today.year > year:
            hints.append(
                f"BACI: the configured release is {release}; CEPII publishes each January, so "
                f"{newer} is probably out: set MINERALS_BACI_RELEASE_URL to "
                f"{baci_release_url.replace(release, newer)} (check the CEPII page first)"
            )
    return hints


def freshness_days(raw_asset: str) -> tuple[int, int] | None:
    """(warn, fail) days for a raw table, from the source that feeds it."""
    for s in SOURCES.values():
        if raw_asset in s.raw_assets:
            return s.freshness_days
    return None

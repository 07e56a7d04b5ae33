"""`minerals prices COMMODITY [--importer X]`: USGS's price lines by product and the trade unit
values of the commodity's codes, each export control marked, the importer's price before and
after each measure, and the price screens that fire (docs/prices.md): one report entry."""

from pipelines.cli.reports import COMMODITY_NAMES, Arg, Report, Section

PRICES = Report(
    "prices",
    "USGS prices and trade unit values of one commodity, each export control marked",
    (
        Arg(
            "commodity",
            COMMODITY_NAMES,
            keys="prices_commodities",
            what="commodity",
            names="commodity",
        ),
        Arg(
            "importer",
            "ISO3 code, country name or bloc (EU27): its unit values from all origins and from "
            "China (default: China's exports and the world median; USA and JPN around measures)",
            keys="prices_importers",
            what="importer (ISO3 code, country name or bloc)",
            names="country",
            flag=True,
            listing="minerals sql -f sql/reports/prices_importers.sql",
        ),
    ),
    (
        Section(
            "{commodity}: USGS prices by product, the latest edition of each year from 2018 "
            "(e = estimated; [measure] = an export control on it took effect that year)",
            "prices_usgs",
            note="A market quote (Argus, Fastmarkets ...) is not a unit value of US imports or of "
            "producers' sales: the basis column says which. revised: what the newer edition "
            "changed (differences of rounding left out).",
        ),
        Section(
            "{commodity}: trade unit values of its codes, USD per tonne gross weight (BACI, FOB, "
            "outliers left out; the line says whose)",
            "prices_unit_values",
            note="A basket code's unit value is the mix's (811292: gallium, germanium and other "
            "metals; 2846: every rare earth), never one mineral's price.",
        ),
        Section(
            "{commodity}: what the importer paid before and after each export control on it "
            "(equal windows; USA and JPN without --importer)",
            "prices_windows",
        ),
        Section(
            "{commodity}: price screens that fire (flooding, price discrimination, control "
            "premium, USGS price vs unit value; definitions in docs/prices.md)",
            "prices_screens",
        ),
    ),
)


def add_parser(sub) -> None:
    PRICES.add_parser(sub)

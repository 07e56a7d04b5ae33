"""`minerals scenario SUPPLIER --commodity C --importer I [--months N]`: what an importer loses if
one supplier stops, who could replace it, and the stockpile that would cover the gap.

The figures come from `sql/reports/scenario.sql` (marts.disruption_exposure and
marts.stockpile_cover); this module matches the names, runs it and says it in words. The
dashboard's stockpile panel reads the same marts through its own file,
`sql/dashboard/stockpile_cover.sql`.
"""

import argparse

from pipelines.cli import console


def months(text: str) -> float:
    """--months: a number of months greater than 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of months, e.g. 6") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text}: the stockpile covers more than 0 months, e.g. 6")
    return value


def scenario(con, supplier: str, importer: str, commodity: str, months: float) -> list[dict]:
    """One dict per stage: the figures of sql/reports/scenario.sql."""
    cur = console.run(
        con, "scenario", supplier=supplier, importer=importer, commodity=commodity, months=months
    )
    columns = console.columns_of(cur)
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def _num(value, digits: int = 0, scale: float = 1.0) -> str:
    shown = f"{value / scale:,.{digits}f}"
    return shown.removeprefix("-") if float(shown.replace(",", "")) == 0 else shown


def _pct(value) -> str:
    return _num(100 * value, 1) + "%"


UNIT_WORDS = {"gross_weight": "gross weight", "content": "content"}


def _at_risk_scope(r: dict) -> str:
    """The scope of the supply at risk in words: basis, unit basis, source."""
    unit = UNIT_WORDS.get(r["unit_basis"], r["unit_basis"])
    if r["basis"] == "consumption":
        table = r["usgs_import_sources_product"]
        return (
            f"USGS apparent consumption x net import reliance x USGS's import-source share "
            f"({table}), t {unit}, USGS MCS2026"
        )
    return f"imports, t {unit}, BACI"


def _production(r: dict) -> str:
    if r["production_source"] is None:
        return (
            "  replace by production: no production series on the same scope as these "
            "products (not measured)"
        )
    if r["rest_of_world_production_t"] is None:
        return (
            f"  replace by production ({r['production_source']} {r['production_year']}): "
            "the series gives no rest-of-world output"
        )
    ratio = (
        f" = {_num(r['production_replacement_ratio'], 1)} x the flow that stops"
        if r["production_replacement_ratio"] is not None
        else ""
    )
    return (
        f"  replace by production ({r['production_source']} {r['production_year']}, t on the "
        f"products' unit basis): rest of world {_num(r['rest_of_world_production_t'])} t{ratio}"
    )


def _stocks(r: dict, importer: str) -> str:
    parts = []
    for what in ("government", "industry"):
        tonnes, months_ = r[f"{what}_stocks_t"], r[f"{what}_stocks_months"]
        if tonnes is not None:
            cover = f" ({_num(months_, 1)} months of the loss)" if months_ is not None else ""
            parts.append(f"{what} stocks {_num(tonnes)} t{cover}")
    if not parts:
        return (
            f"  stocks on hand: none reported for {importer} on this scope (the data hold US "
            "stocks only, from USGS's salient statistics, for series on USGS's product)"
        )
    return "  stocks on hand (USGS, same product and unit): " + "; ".join(parts)


def _stage_block(r: dict, supplier: str, importer: str, commodity: str, months: float) -> list:
    out = [
        "",
        f"{r['stage']} ({r['year']})",
        f"  products:  {r['product_label']}"
        + (f" (a basket: not {commodity} alone)" if r["includes_basket"] else ""),
    ]
    ranks = []
    if r["supplier_rank"] is not None:
        ranks.append(f"#{r['supplier_rank']} of {importer}'s own suppliers of these products")
    if r["supplier_export_rank"] is not None:
        ranks.append(f"#{r['supplier_export_rank']} exporter in the world")
    if ranks:
        out.append(f"  supplier:  {supplier} is " + "; ".join(ranks) + " (BACI)")
    tonnes = (
        f"{_num(r['lost_imports_t'])} t a year (imports, t gross weight, BACI)"
        if r["lost_imports_t"] is not None
        else "tonnes not in the trade data"
    )
    shares = []
    if r["lost_share_of_import_quantity"] is not None:
        shares.append(f"{_pct(r['lost_share_of_import_quantity'])} of import tonnes")
    if r["lost_share_of_import_value"] is not None:
        shares.append(f"{_pct(r['lost_share_of_import_value'])} of import value")
    out.append(
        f"  flow that stops: {tonnes}, ${_num(r['lost_value_usd'], 1, 1e6)}m (BACI)"
        + (f"; {', '.join(shares)}" if shares else "")
    )
    if r["basis"] is None:  # a world exporter outside the importer's own five largest
        out.append(
            f"  at risk:   not measured ({supplier} is not among {importer}'s five largest "
            "suppliers of these products)"
        )
    elif r["annual_at_risk_t"] is None:
        out.append(f"  at risk:   no figure on its basis ({_at_risk_scope(r)})")
    else:
        of = "apparent consumption" if r["basis"] == "consumption" else "import tonnes"
        share = (
            f" = {_pct(r['share_of_consumption'])} of {of}"
            if r["share_of_consumption"] is not None
            else ""
        )
        out.append(
            f"  at risk:   {_num(r['annual_at_risk_t'])} t a year{share} ({_at_risk_scope(r)})"
        )
    if r["exports_replacement_ratio"] is not None:
        out.append(
            f"  replace by trade: others export {_num(r['rest_of_world_exports_t'])} t = "
            f"{_num(r['exports_replacement_ratio'], 1)} x the flow that stops (exports, t gross "
            "weight, BACI; they already have buyers)"
        )
    elif r["others_exports_per_supplier_exports"] is not None:
        out.append(
            f"  replace by trade: others export "
            f"{_num(r['others_exports_per_supplier_exports'], 2)} x the supplier's exports "
            "(exports, USD, BACI; trade, not capacity)"
        )
    if r["basis"] is not None:
        out.append(_production(r))
    if r["stockpile_t"] is not None:
        unit = UNIT_WORDS.get(r["unit_basis"], r["unit_basis"])
        value = (
            f", ${_num(r['stockpile_value_usd'], 1, 1e6)}m at the import unit value"
            if r["stockpile_value_usd"] is not None
            else ""
        )
        out.append(
            f"  stockpile for {months:g} months: {_num(r['stockpile_t'])} t {unit} "
            f"({r['basis']} basis){value}"
        )
    if r["months_covered_by_6m_stockpile"] is not None:
        of = "apparent consumption" if r["basis"] == "consumption" else "its imports"
        out.append(
            f"  a stockpile of 6 months of {of} covers "
            f"{_num(r['months_covered_by_6m_stockpile'], 1)} months of the loss"
        )
    if r["policy_target_months_covered"] is not None:
        out.append(
            f"  {r['policy_target']}: covers {_num(r['policy_target_months_covered'], 1)} "
            "months of the loss (its imports stand in for consumption)"
        )
    if r["basis"] is not None:
        out.append(_stocks(r, importer))
    if r["note"]:
        out.append(f"  note:      {r['note']}")
    return out


def format_scenario(
    rows: list[dict], supplier: str, importer: str, commodity: str, months: float
) -> str:
    """The figures in plain words, one block per stage, each with its scope (products, basis,
    unit basis, source); a figure the data cannot give is said in words, never "n/a"."""
    if not rows:
        return (
            f"{importer} bought no {commodity} from {supplier} among its own five largest "
            "suppliers or the five largest exporters' flows: nothing to lose in this scenario."
        )
    out = [f"Scenario: {supplier} stops supplying {commodity} to {importer}"]
    for r in rows:
        out += _stage_block(r, supplier, importer, commodity, months)
    return "\n".join(out)


def cmd_scenario(args: argparse.Namespace) -> int:
    con = console.connect_readonly()

    def pick(value: str, keys: str, what: str, kind: str | None) -> str:
        return console.resolve_key(con, value, keys, what, kind)

    importer = pick(
        args.importer, "scenario_importers", "importer (ISO3 code, country name or bloc)", "country"
    )
    commodity = pick(args.commodity, "scenario_commodities", "commodity", "commodity")
    supplier = pick(
        args.supplier,
        "scenario_suppliers",
        "supplier (one of the importer's own five largest or the world's five largest exporters)",
        "country",
    )
    rows = scenario(con, supplier, importer, commodity, args.months)
    print(format_scenario(rows, supplier, importer, commodity, args.months))
    return 0


def add_parser(sub) -> None:
    """Register `minerals scenario SUPPLIER --commodity C --importer I [--months N]`."""
    p = sub.add_parser("scenario", help="if one supplier stops: loss, replacement, stockpile")
    p.add_argument("supplier", help="ISO3 code or country name of the supplier, e.g. CHN, China")
    p.add_argument("--commodity", required=True, help="e.g. graphite, rare_earths, REE")
    p.add_argument(
        "--importer", required=True, help="ISO3 code, country name or bloc: USA, Japan, EU27"
    )
    p.add_argument("--months", type=months, default=6, help="months of stockpile (default 6)")
    p.set_defaults(func=cmd_scenario)

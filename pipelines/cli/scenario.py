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


def _production(r: dict) -> str:
    if r["production_source"] is None:
        return f"  replace by production: no production series for {r['stage']} (not measured)"
    if r["rest_of_world_production_t"] is None:
        return (
            f"  replace by production ({r['production_source']} {r['production_year']}): "
            "the series gives no rest-of-world output"
        )
    ratios = []
    if r["production_replacement_ratio"] is not None:
        ratios.append(f"{_num(r['production_replacement_ratio'], 2)} x the supplier's output")
    if r["rest_of_world_production_per_lost_t"] is not None:
        ratios.append(f"{_num(r['rest_of_world_production_per_lost_t'], 1)} x the lost tonnes")
    return (
        f"  replace by production ({r['production_source']} {r['production_year']}): rest of "
        f"world {_num(r['rest_of_world_production_t'])} t"
        + (f" = {', '.join(ratios)}" if ratios else "")
    )


def _stocks(r: dict, importer: str) -> str:
    parts = []
    for what in ("government", "industry"):
        tonnes, months_ = r[f"{what}_stocks_t"], r[f"{what}_stocks_months"]
        if tonnes is not None:
            cover = f" ({_num(months_, 1)} months)" if months_ is not None else ""
            parts.append(f"{what} stocks {_num(tonnes)} t{cover}")
    if not parts:
        return (
            f"  stocks on hand: none reported for {importer} (the data hold US stocks only, "
            "from USGS's salient statistics)"
        )
    return "  stocks on hand: " + "; ".join(parts)


def format_scenario(
    rows: list[dict], supplier: str, importer: str, commodity: str, months: float
) -> str:
    """The figures in plain words, one block per stage; a figure the data cannot give is said
    in words, never printed as "n/a"."""
    if not rows:
        return (
            f"{importer} bought no {commodity} from {supplier} among the five largest "
            "exporters' flows: nothing to lose in this scenario."
        )
    out = [f"Scenario: {supplier} stops supplying {commodity} to {importer}"]
    for r in rows:
        tonnes = (
            f"{_num(r['lost_imports_t'])} t of imports"
            if r["lost_imports_t"] is not None
            else "imports of unknown tonnage"
        )
        shares = [f"{_pct(r['lost_share_of_import_value'])} of import value"]
        if r["lost_share_of_import_quantity"] is not None:
            shares.insert(0, f"{_pct(r['lost_share_of_import_quantity'])} of import tonnes")
        out += [
            "",
            f"{r['stage']} ({r['year']}, trade from BACI)",
            f"  products:  {r['product_label']}"
            + (f" (a basket: not {commodity} alone)" if r["includes_basket"] else "")
            if r.get("product_label")
            else "  products:  not named in the data",
            f"  lost:      {tonnes}, ${_num(r['lost_value_usd'], 1, 1e6)}m; {', '.join(shares)}",
        ]
        net_exporter = r["basis"] == "net_imports" and (r["net_imports_t"] or 0) <= 0
        if r["annual_at_risk_t"] is None:
            out.append("  at risk:   not measured (no stockpile figures for this flow)")
        elif net_exporter:
            out.append(
                f"  at risk:   none on a net-imports basis: {importer} exported more than it "
                f"imported ({_num(r['net_imports_t'])} t net imports, BACI tonnes)"
            )
        else:
            of = "apparent consumption" if r["basis"] == "usgs_nir" else "net imports"
            share = (
                f", {_pct(r['share_of_consumption'])} of {of}"
                if r["share_of_consumption"] is not None
                else ""
            )
            out.append(f"  at risk:   {_num(r['annual_at_risk_t'])} t a year ({r['basis']}){share}")
        out.append(_production(r))
        if r["others_exports_per_supplier_exports"] is not None:
            out.append(
                f"  replace by trade: others export "
                f"{_num(r['others_exports_per_supplier_exports'], 2)} x the supplier's exports "
                "(trade, not capacity)"
            )
        if r["stockpile_t"] is not None and not net_exporter:
            value = (
                f", ${_num(r['stockpile_value_usd'], 1, 1e6)}m at the import unit value"
                if r["stockpile_value_usd"] is not None
                else ""
            )
            out.append(f"  stockpile for {months:g} months: {_num(r['stockpile_t'])} t{value}")
        out.append(_stocks(r, importer))
    return "\n".join(out)


def cmd_scenario(args: argparse.Namespace) -> int:
    con = console.connect_readonly()

    def pick(value: str, keys: str, what: str, kind: str | None) -> str:
        known = [k for (k,) in console.run(con, keys).fetchall()]
        candidates = console.names(con, kind, known) if kind else {k: [] for k in known}
        listing = f"list them: {console.typed('minerals')} sql -f sql/reports/{keys}.sql"
        return console.resolve(value, candidates, what, listing)

    importer = pick(
        args.importer, "scenario_importers", "importer (ISO3 code, country name or bloc)", "country"
    )
    commodity = pick(args.commodity, "scenario_commodities", "commodity", "commodity")
    supplier = pick(
        args.supplier,
        "scenario_suppliers",
        "supplier (one of the five largest exporters of a stage)",
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

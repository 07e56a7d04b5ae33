"""`minerals scenario`: what an importer loses if one supplier stops, who could replace it, and
the stockpile that would cover the gap. Pure: a query on the published marts and its formatting.

The dashboard panel reads the same figures with `SCENARIO_SQL` (parameters: supplier, importer,
commodity, months).
"""

import duckdb

# Latest year per stage in which the importer buys from the supplier. Sources:
# marts.disruption_exposure (loss, replacement by production and by trade) and
# marts.stockpile_cover (supply at risk in tonnes, stockpile, stocks on hand).
SCENARIO_SQL = """
SELECT
    d.commodity, d.stage, d.year,
    d.quantity_at_risk_t AS lost_imports_t,
    d.value_at_risk_usd AS lost_value_usd,
    d.share_at_risk AS lost_share_of_import_value,
    c.supplier_share_quantity AS lost_share_of_import_quantity,
    c.basis,
    c.annual_at_risk_t,
    c.annual_at_risk_t / nullif(coalesce(c.apparent_consumption_t, c.net_imports_t), 0)
        AS share_of_consumption,
    d.production_source, d.production_year,
    d.supplier_production_t,
    d.rest_of_world_production_t,
    d.production_replacement_ratio,
    d.rest_of_world_production_per_lost_t,
    d.alternative_supply_ratio AS others_exports_per_lost_value,
    d.world_alternative_supply_ratio AS others_exports_per_supplier_exports,
    c.annual_at_risk_t * $months / 12 AS stockpile_t,
    c.annual_at_risk_t * $months / 12 * c.unit_value_usd_per_t AS stockpile_value_usd,
    c.government_stocks_t, c.government_stocks_months,
    c.industry_stocks_t, c.industry_stocks_months
FROM marts.disruption_exposure d
LEFT JOIN marts.stockpile_cover c
  ON c.importer_iso3 = d.importer_iso3 AND c.supplier_iso3 = d.supplier_iso3
 AND c.commodity = d.commodity AND c.stage = d.stage AND c.year = d.year
WHERE d.supplier_iso3 = $supplier AND d.importer_iso3 = $importer AND d.commodity = $commodity
QUALIFY d.year = max(d.year) OVER (PARTITION BY d.stage)
ORDER BY d.stage
"""


def scenario(
    con: duckdb.DuckDBPyConnection, supplier: str, importer: str, commodity: str, months: float
) -> list[dict]:
    """One dict per stage: the figures of SCENARIO_SQL."""
    rel = con.execute(
        SCENARIO_SQL,
        {"supplier": supplier, "importer": importer, "commodity": commodity, "months": months},
    )
    columns = [d[0] for d in rel.description]
    return [dict(zip(columns, row, strict=True)) for row in rel.fetchall()]


def _num(value, digits: int = 0, scale: float = 1.0) -> str:
    if value is None:
        return "n/a"
    return f"{value / scale:,.{digits}f}"


def _pct(value) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def format_scenario(
    rows: list[dict], supplier: str, importer: str, commodity: str, months: float
) -> str:
    """The figures in plain words, one block per stage."""
    if not rows:
        return (
            f"{importer} bought no {commodity} from {supplier} among the five largest "
            "exporters' flows: nothing to lose in this scenario."
        )
    out = [f"Scenario: {supplier} stops supplying {commodity} to {importer}"]
    for r in rows:
        months_txt = f"{months:g}"
        out += [
            "",
            f"{r['stage']} ({r['year']}, trade from BACI)",
            f"  lost:      {_num(r['lost_imports_t'])} t of imports, "
            f"${_num(r['lost_value_usd'], 1, 1e6)}m; {_pct(r['lost_share_of_import_quantity'])} "
            f"of import tonnes, {_pct(r['lost_share_of_import_value'])} of import value",
            f"  at risk:   {_num(r['annual_at_risk_t'])} t a year ({r['basis']}), "
            f"{_pct(r['share_of_consumption'])} of "
            + ("apparent consumption" if r["basis"] == "usgs_nir" else "net imports"),
            f"  replace by production ({r['production_source'] or 'no series'} "
            f"{r['production_year'] or ''}): rest of world {_num(r['rest_of_world_production_t'])}"
            f" t = {_num(r['production_replacement_ratio'], 2)} x the supplier's output, "
            f"{_num(r['rest_of_world_production_per_lost_t'], 1)} x the lost tonnes",
            f"  replace by trade: others export "
            f"{_num(r['others_exports_per_supplier_exports'], 2)} x the supplier's exports "
            f"(trade, not capacity)",
            f"  stockpile for {months_txt} months: {_num(r['stockpile_t'])} t, "
            f"${_num(r['stockpile_value_usd'], 1, 1e6)}m at the import unit value",
            f"  government stocks: {_num(r['government_stocks_t'])} t "
            f"({_num(r['government_stocks_months'], 1)} months); industry stocks: "
            f"{_num(r['industry_stocks_t'])} t ({_num(r['industry_stocks_months'], 1)} months)",
        ]
    return "\n".join(out)


def add_parser(sub) -> None:
    """Register `minerals scenario SUPPLIER --commodity C --importer I [--months N]`."""
    p = sub.add_parser("scenario", help="if one supplier stops: loss, replacement, stockpile")
    p.add_argument("supplier", help="ISO3 code of the supplier that stops, e.g. CHN")
    p.add_argument("--commodity", required=True, help="e.g. graphite, rare_earths")
    p.add_argument("--importer", required=True, help="ISO3 code or bloc: USA, JPN, USA_JPN, EU27")
    p.add_argument("--months", type=float, default=6, help="months of stockpile (default 6)")
    p.set_defaults(func=cmd_scenario)


def cmd_scenario(args) -> int:
    from pipelines.cli import _connect_readonly, _require_known

    con = _connect_readonly()
    supplier, importer = args.supplier.upper(), args.importer.upper()

    def known(sql: str) -> list[str]:
        return [r[0] for r in con.execute(sql).fetchall()]

    listing = "select distinct {} from marts.disruption_exposure"
    importer = _require_known(
        importer,
        known("SELECT DISTINCT importer_iso3 FROM marts.disruption_exposure ORDER BY 1"),
        "importer (ISO3 code or bloc)",
        listing.format("importer_iso3"),
    )
    commodity = _require_known(
        args.commodity,
        known("SELECT DISTINCT commodity FROM marts.disruption_exposure ORDER BY 1"),
        "commodity",
        listing.format("commodity"),
    )
    supplier = _require_known(
        supplier,
        known("SELECT DISTINCT supplier_iso3 FROM marts.disruption_exposure ORDER BY 1"),
        "supplier (one of the five largest exporters of a stage)",
        listing.format("supplier_iso3"),
    )
    rows = scenario(con, supplier, importer, commodity, args.months)
    print(format_scenario(rows, supplier, importer, commodity, args.months))
    return 0

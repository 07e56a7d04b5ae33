"""Reference dimensions: countries (ISO 3166 + the alias seed every source maps through)."""

import dagster as dg

from pipelines.defs.quality import gx_suite_check
from pipelines.defs.resources import ALSO_WRITES, SourcesResource, WarehouseResource
from pipelines.lib.inputs import verify_snapshot
from pipelines.lib.seeds import load_seed
from pipelines.lib.transforms import countries

COUNTRY_REFERENCE = "reference/country_codes_datahub/country-codes.csv"


@dg.asset(
    key=["staging", "dim_country"],
    metadata={ALSO_WRITES: ["staging.country_alias"]},
    group_name="reference",
    kinds={"polars", "duckdb"},
    description="ISO 3166 countries (datahub country-codes, PDDL) with region; one row per iso3.",
)
def dim_country(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    verify_snapshot(sources.snapshot, "reference/country_codes_datahub")
    reference = countries.load_reference(sources.snapshot / COUNTRY_REFERENCE)
    aliases = load_seed("country_aliases")
    countries.build_lookup(reference, aliases)  # fails on an alias to an unknown code
    wh = warehouse.get()
    with wh.connect() as con:
        rows = wh.write_table(con, "staging.dim_country", reference)
        wh.write_table(con, "staging.country_alias", aliases.select("alias", "iso3", "note"))
    context.log.info(f"{rows} countries, {aliases.height} aliases")
    return dg.MaterializeResult(metadata={"row_count": rows, "aliases": aliases.height})


def country_lookup(warehouse: WarehouseResource) -> dict[str, str]:
    """The crosswalk every conform step uses, rebuilt from the published dimension tables."""
    wh = warehouse.get()
    reference = wh.read_table("staging.dim_country")
    aliases = wh.read_table("staging.country_alias")
    return countries.build_lookup(reference, aliases)


dim_country_suite = gx_suite_check(dg.AssetKey(["staging", "dim_country"]), id_columns=["iso3"])

defs = dg.Definitions(assets=[dim_country], asset_checks=[dim_country_suite])

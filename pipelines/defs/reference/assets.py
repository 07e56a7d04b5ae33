"""Reference dimensions: countries (ISO 3166 + the alias seed every source maps through) and the
reviewed seed tables of data/seeds/ that are published (one factory, driven by the contracts)."""

import dagster as dg
import polars as pl

from pipelines.defs.quality import gx_suite_check
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.tables import table_asset, table_key, table_result, table_spec
from pipelines.lib.contracts import Contract, load_contracts
from pipelines.lib.inputs import verify_snapshot
from pipelines.lib.seeds import load_seed, typed_seed
from pipelines.lib.transforms import countries

COUNTRY_REFERENCE = "reference/country_codes_datahub/country-codes.csv"
DIM_COUNTRY = table_key("staging.dim_country")


@dg.multi_asset(
    specs=[
        table_spec("staging.dim_country", kinds={"polars", "duckdb"}),
        table_spec("staging.country_alias", kinds={"polars", "duckdb"}),
    ],
)
def dim_country(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
):
    verify_snapshot(sources.snapshot, "reference/country_codes_datahub")
    reference = countries.load_reference(sources.snapshot / COUNTRY_REFERENCE)
    aliases = load_seed("country_aliases")
    countries.build_lookup(reference, aliases)  # fails on an alias to an unknown code
    wh = warehouse.get()
    with wh.connect() as con:
        wh.write_table(con, "staging.dim_country", reference)
        wh.write_table(con, "staging.country_alias", aliases.select("alias", "iso3", "note"))
        yield table_result(con, "staging.dim_country", reference_file=COUNTRY_REFERENCE)
        yield table_result(con, "staging.country_alias", seed="data/seeds/country_aliases.csv")
    context.log.info(f"{reference.height} countries, {aliases.height} aliases")


def country_lookup(warehouse: WarehouseResource) -> dict[str, str]:
    """The crosswalk every conform step uses, rebuilt from the published dimension tables."""
    wh = warehouse.get()
    reference = wh.read_table("staging.dim_country")
    aliases = wh.read_table("staging.country_alias")
    return countries.build_lookup(reference, aliases)


dim_country_suite = gx_suite_check(DIM_COUNTRY)


def seed_asset(contract: Contract) -> dg.AssetsDefinition:
    """`data/seeds/<seed>.csv` -> its table, typed as the contract's columns declare."""

    @table_asset(contract.table, kinds={"csv", "duckdb"})
    def _seed(warehouse: WarehouseResource) -> dg.MaterializeResult:
        df: pl.DataFrame = typed_seed(contract.seed, {c.name: c.type for c in contract.columns})
        wh = warehouse.get()
        with wh.connect() as con:
            wh.write_table(con, contract.table, df)
            return table_result(con, contract.table, seed=f"data/seeds/{contract.seed}.csv")

    return _seed


seed_assets = [seed_asset(c) for c in load_contracts().values() if c.seed]

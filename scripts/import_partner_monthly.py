"""Write data/snapshot/partner_monthly/ from the partner-side monthly rows in ../shared/data.

Run once after a reviewed change of the source file (then scripts/gen_snapshot_manifest.py):

    .venv/bin/python scripts/import_partner_monthly.py \
        ../shared/data/trade/partner_monthly_2024_2026

That folder holds `flows.parquet` and
the two ECB exchange-rate files of Varcolacus/critical-materials-atlas at commit 17b328d (see
its PROVENANCE.md). Only the publishers' own monthly rows are kept, one CSV per publisher whose
terms allow redistribution: UK HMRC (OGL v3), Eurostat Comext (reuse with attribution), US
Census (public domain), Brazil Comex Stat (open data). UN Comtrade rows (no bulk redistribution)
and the BACI/mirror rows (annual, derived) are left out.

The file holds values converted to USD by that project. The publisher's own figure is recovered
with the project's own rate (GBP = USD x GBP/EUR / USD/EUR; EUR = USD / USD/EUR) and checked:
HMRC publishes whole pounds, so every recovered GBP value must be an integer (within 1e-6), and
Comext publishes euros to the cent or finer (kept to 3 decimals, the precision the recovery
reaches). Both figures are written: `value` in the publisher's currency and
`value_usd_intermediary`, the project's conversion.
"""

import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "data" / "snapshot" / "partner_monthly"
# source in the file -> (output file, publisher currency)
PUBLISHERS = {
    "hmrc": ("hmrc_ots_cn8_monthly.csv", "GBP"),
    "eurostat": ("eurostat_comext_cn8_monthly.csv", "EUR"),
    "uscensus": ("uscensus_hs6_monthly.csv", "USD"),
    "comexstat": ("comexstat_ncm8_monthly.csv", "USD"),
}
FX_FILES = {
    "fx_eur_usd.csv": "ecb_exr_usd_eur_monthly.csv",
    "fx_gbp_eur.csv": "ecb_exr_gbp_eur_monthly.csv",
}
COLUMNS = [
    "period",
    "reporter",
    "partner",
    "partner_name",
    "flow",
    "native_code",
    "hs6",
    "value",
    "currency",
    "value_usd_intermediary",
    "qty_kg",
    "confidential",
]


def rates(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False).select(
        period=pl.col("TIME_PERIOD").str.replace("-", "").cast(pl.Int32),
        rate=pl.col("OBS_VALUE").cast(pl.Float64),
    )


def recover(rows: pl.DataFrame, currency: str, usd_eur: pl.DataFrame, gbp_eur: pl.DataFrame):
    """The publisher's own value from the project's USD figure and its rates."""
    if currency == "USD":
        return rows.with_columns(value=pl.col("value_usd"))
    joined = rows.join(usd_eur.rename({"rate": "usd_eur"}), on="period", how="left").join(
        gbp_eur.rename({"rate": "gbp_eur"}), on="period", how="left"
    )
    missing = joined.filter(pl.col("usd_eur").is_null() | pl.col("gbp_eur").is_null())
    if missing.height:
        raise SystemExit(f"no ECB rate for months {missing['period'].unique().to_list()}")
    if currency == "GBP":
        value = pl.col("value_usd") * pl.col("gbp_eur") / pl.col("usd_eur")
        out = joined.with_columns(value=value)
        off = out.filter((pl.col("value") - pl.col("value").round(0)).abs() > 1e-6)
        if off.height:
            raise SystemExit(f"{off.height} HMRC values do not recover whole pounds: {off.head()}")
        return out.with_columns(pl.col("value").round(0))
    return joined.with_columns(value=(pl.col("value_usd") / pl.col("usd_eur")).round(3))


def main(source_dir: Path) -> None:
    flows = pl.read_parquet(source_dir / "flows.parquet")
    usd_eur = rates(source_dir / "fx_eur_usd.csv")
    gbp_eur = rates(source_dir / "fx_gbp_eur.csv")
    TARGET.mkdir(parents=True, exist_ok=True)
    for source, (name, currency) in PUBLISHERS.items():
        rows = flows.filter((pl.col("source") == source) & (pl.col("freq") == "M"))
        if source == "eurostat":
            # the file repeats 215 Comext rows exactly (same reporter, partner, code, value and
            # mass): one row each is kept (PROVENANCE.md, "Caveats")
            rows = rows.unique(maintain_order=True)
        out = recover(rows, currency, usd_eur, gbp_eur).select(
            "period",
            "reporter",
            "partner",
            "partner_name",
            "flow",
            "native_code",
            "hs6",
            pl.col("value"),
            currency=pl.lit(currency),
            value_usd_intermediary="value_usd",
            qty_kg="qty_kg",
            confidential="confidential",
        )
        out.select(COLUMNS).sort("period", "flow", "native_code", "partner").write_csv(
            TARGET / name
        )
        print(f"{name}: {out.height} rows, {out['period'].min()}..{out['period'].max()}")
    for src, dst in FX_FILES.items():
        (TARGET / dst).write_bytes((source_dir / src).read_bytes())
        print(f"{dst}: copied")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))

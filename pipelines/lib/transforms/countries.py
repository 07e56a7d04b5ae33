"""One country crosswalk: ISO 3166 reference names plus a reviewed alias seed, to ISO3.

Every source name goes through `normalise_name`, then is either an aggregate (world totals,
"Other countries", "Rest of world", ...) or must resolve to an ISO3 code. An unmapped name is
an error that names the name and the file: a new spelling is a seed row, never a guess.
"""

import re
import unicodedata
from pathlib import Path

import polars as pl

from pipelines.lib.errors import SourceDataError
from pipelines.lib.seeds import load_seed

# Aggregate rows, kept apart from country rows. Order matters: first match names the kind.
AGGREGATE_PATTERNS: list[tuple[str, str]] = [
    (r"^world\b", "world_total"),
    (r"^total\b", "world_total"),
    (r"^other countries\b|^other$|^others$", "other_countries"),
    (r"^rest of (the )?world\b", "rest_of_world"),
    (r"^top 3 share\b", "top3_share"),
    (r"^united states and canada$", "combined_countries"),
    (r"^china, germany, and russia$", "combined_countries"),  # MCS2026 rubidium import sources
    # helium sold from the US federal stockpile: a stock release, not production
    (r"^united states \(from cliffside field\)$", "stock_release"),
]

# Parenthetical qualifiers that name a product or a basis, not a place: "Brazil (beneficiated)".
_QUALIFIER = re.compile(r"\s*\((?!kinshasa|brazzaville)[^)]*\)\s*$")


def normalise_name(name: str) -> str:
    """Lower-case, NFKC, footnote digits and stray spaces removed: `Other countries6` -> ..."""
    text = unicodedata.normalize("NFKC", name or "").replace("\u2019", "'").replace("`", "'")
    text = re.sub(r"(?<=[a-z)\s])\d{1,2}$", "", text.strip(), flags=re.I)  # footnote digits
    text = re.sub(r"\s+", " ", text).strip().casefold()
    return re.sub(r"^the ", "", text)


def aggregate_kind(normalised: str) -> str | None:
    for pattern, kind in AGGREGATE_PATTERNS:
        if re.search(pattern, normalised):
            return kind
    return None


# CLDR's display names are short and familiar; data/seeds/country_display_names.csv shortens the
# few that analysts read most.
DISPLAY_NAME_OVERRIDES = dict(load_seed("country_display_names").select("iso3", "name").iter_rows())


def load_reference(reference_csv: Path) -> pl.DataFrame:
    """ISO 3166 countries (datahub country-codes): iso3, iso2, m49, names, region."""
    df = pl.read_csv(reference_csv, infer_schema=False, null_values=[""])
    return (
        df.select(
            iso3=pl.col("ISO3166-1-Alpha-3"),
            iso2=pl.col("ISO3166-1-Alpha-2"),
            iso_numeric=pl.col("ISO3166-1-numeric").cast(pl.Int32),
            name=pl.coalesce("CLDR display name", "official_name_en", "UNTERM English Short"),
            official_name=pl.col("official_name_en"),
            un_short_name=pl.col("UNTERM English Short"),
            region=pl.col("Region Name"),
            sub_region=pl.col("Sub-region Name"),
        )
        .filter(pl.col("iso3").is_not_null() & (pl.col("iso3").str.len_chars() == 3))
        .unique("iso3", keep="first")
        .with_columns(
            name=pl.col("iso3").replace_strict(DISPLAY_NAME_OVERRIDES, default=pl.col("name"))
        )
        .sort("iso3")
    )


def build_lookup(reference: pl.DataFrame, aliases: pl.DataFrame) -> dict[str, str]:
    """normalised name -> iso3, from the reference names and the alias seed (seed wins)."""
    lookup: dict[str, str] = {}
    for column in ("official_name", "un_short_name", "name"):
        for name, iso3 in reference.select(column, "iso3").iter_rows():
            if name:
                lookup[normalise_name(name)] = iso3
    known = set(reference["iso3"])
    for alias, iso3 in aliases.select("alias", "iso3").iter_rows():
        if iso3 not in known:
            raise SourceDataError(
                "seeds",
                "country_aliases.csv",
                f"unknown ISO3 {iso3!r}",
                field="iso3",
                values=[alias],
            )
        lookup[normalise_name(alias)] = iso3
    return lookup


def resolve(name: str, lookup: dict[str, str]) -> str | None:
    key = normalise_name(name)
    if key in lookup:
        return lookup[key]
    unqualified = _QUALIFIER.sub("", key)
    return lookup.get(unqualified)


def strip_estimate_marker(name: str, lookup: dict[str, str]) -> tuple[str, bool]:
    """MCS2024 glues an `e` (estimated) to some names: `Chinae`, `Other countriese`.

    Only stripped when the name without it resolves and the name with it does not, so
    `Ukraine` stays Ukraine.
    """
    stripped = (name or "").rstrip()
    if (
        not stripped.endswith("e")
        or resolve(stripped, lookup)
        or aggregate_kind(normalise_name(stripped))
    ):
        return name, False
    stem = stripped[:-1]
    if resolve(stem, lookup) or aggregate_kind(normalise_name(stem)):
        return stem, True
    return name, False


def conform_countries(
    df: pl.DataFrame, column: str, lookup: dict[str, str], *, source: str, file_column: str
) -> pl.DataFrame:
    """Add `country` (clean name), `iso3` and `aggregate` (kind or null) for `column`.

    Fails naming each unmapped name and the file(s) it came from.
    """
    names = df.select(pl.col(column).alias("raw"), pl.col(file_column).alias("file")).unique()
    rows = []
    missing: dict[str, set[str]] = {}
    for raw, file in names.iter_rows():
        norm = normalise_name(raw or "")
        kind = aggregate_kind(norm)
        iso3 = None if kind else resolve(raw or "", lookup)
        if kind is None and iso3 is None:
            missing.setdefault(raw, set()).add(file)
        rows.append((raw, iso3, kind))
    if missing:
        detail = "; ".join(f"{n!r} in {', '.join(sorted(f))}" for n, f in sorted(missing.items()))
        raise SourceDataError(
            source,
            ", ".join(sorted({f for fs in missing.values() for f in fs}))[:200],
            f"country names with no ISO3 mapping (add them to data/seeds/country_aliases.csv): "
            f"{detail}",
            field=column,
        )
    mapping = pl.DataFrame(
        rows, schema={"raw": pl.String, "iso3": pl.String, "aggregate": pl.String}, orient="row"
    ).unique("raw")
    return df.join(mapping, left_on=column, right_on="raw", how="left", nulls_equal=True)

-- staging.supply_series: one row per (source, commodity, stage, basis, year) series, with the
-- world total every share is measured against.
-- world_total: IEA's own "Total" (it defines IEA's published shares, even where IEA's rows add
-- up to a little more); for USGS the larger of the published "World total (rounded)" and the sum
-- of the rows, because a total rounded to 2-3 digits can fall below the sum of its parts
-- (gallium 2025: 900 t published, 909 t listed) and shares must not exceed 1. Production only
-- (exports: marts.export_share).
-- unallocated_amount: what "Other countries" / "Rest of world" rows hold.
SELECT
    source,
    commodity,
    stage,
    basis,
    year,
    max(edition) AS edition,
    any_value(unit) AS unit,
    bool_or(is_projection) AS is_projection,
    max(amount) FILTER (WHERE aggregate = 'world_total') AS published_world_total,
    sum(amount) FILTER (WHERE aggregate IS NULL OR aggregate <> 'world_total') AS rows_total,
    CASE
        WHEN source = 'iea' THEN coalesce(published_world_total, rows_total)
        ELSE greatest(published_world_total, rows_total)
    END AS world_total,
    coalesce(sum(amount) FILTER (WHERE aggregate IN ('other_countries', 'rest_of_world',
                                                     'combined_countries')), 0)
        AS unallocated_amount,
    any_value(unit_basis) AS unit_basis,
    any_value(product) AS product
FROM staging.supply_by_country
GROUP BY source, commodity, stage, basis, year

-- marts.prices: USGS prices of every bundled edition (staging.usgs_prices), one row per
-- (commodity, product, price basis, year, edition), with the revision from the edition posted
-- before it (same product and basis) and the change from the previous year within the edition.
-- Normalised where the unit is a mass ($/t, $/kg of unit_basis); the printed figure and unit kept.
WITH priced AS (
    SELECT *,
        CASE WHEN commodity = 'rare_earths_heavy' THEN 'rare_earths' ELSE commodity END
            AS commodity_group,
        -- half the last printed digit, in normalised_unit: a difference within it is rounding
        0.5 * power(10, -CASE WHEN contains(value_raw, '.')
                              THEN length(split_part(value_raw, '.', 2)) ELSE 0 END)
            * price_normalised / nullif(price, 0) AS half_printed_step
    FROM staging.usgs_prices
),
revised AS (
    SELECT *,
        lag(edition) OVER by_edition AS previous_edition,
        lag(price_normalised) OVER by_edition AS previous_edition_price,
        lag(value_raw) OVER by_edition AS previous_edition_value_raw,
        lag(half_printed_step) OVER by_edition AS previous_half_step,
        lag(price_normalised) OVER by_year AS previous_year_price,
        lag(year) OVER by_year AS previous_year,
        row_number() OVER (PARTITION BY commodity, product, price_basis, year
                           ORDER BY edition_posted DESC) = 1 AS is_latest_edition
    FROM priced
    WINDOW by_edition AS (PARTITION BY commodity, product, price_basis, year
                          ORDER BY edition_posted),
           by_year AS (PARTITION BY commodity, product, price_basis, edition ORDER BY year)
)
SELECT
    commodity, commodity_group, element, product, price_basis, year, edition, source,
    edition_posted, stage, terms, quoted_source, unit_basis, is_estimate,
    price, unit_raw, unit_read, normalised_unit, price_normalised, price_usd_per_t,
    price_usd_per_kg, value_raw, value_flag, is_latest_edition,
    previous_edition, previous_edition_price,
    price_normalised / nullif(previous_edition_price, 0) - 1 AS revision,
    CASE WHEN previous_year = year - 1
         THEN price_normalised / nullif(previous_year_price, 0) - 1 END AS change_from_previous_year,
    series_label, notes, rule_note, source_file, source_row, cell,
    previous_edition_value_raw,
    abs(price_normalised - previous_edition_price) <= previous_half_step
        AS revision_within_rounding
FROM revised
ORDER BY commodity, product, price_basis, year, edition_posted

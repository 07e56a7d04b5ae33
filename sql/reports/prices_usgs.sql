-- `minerals prices COMMODITY`: USGS's price lines by product, the latest edition of each year
-- from 2018 (marts.prices holds DS-140's from 1900),
-- each year an export control on the commodity took effect marked [measure]; e = estimated.
-- $/kg for prices printed per kilogram, pound or ounce, $/t for those printed per ton; other
-- units (per metric ton unit of content, per carat, an index) as printed; the unit basis (the
-- product as sold, or its content) and the editions the figures are read from.
WITH measures AS (
    SELECT year(effective) AS year, string_agg(measure_id, ' ' ORDER BY effective) AS ids
    FROM staging.export_controls
    WHERE list_contains(commodities, $commodity)
    GROUP BY 1
),
shown AS (
    SELECT p.*, m.ids,
        CASE WHEN p.normalised_unit <> 'usd_per_t' THEN replace(p.normalised_unit, 'usd_per_', '$/')
             WHEN p.unit_read ILIKE '%ton%' THEN '$/t' ELSE '$/kg' END AS unit,
        CASE WHEN p.normalised_unit <> 'usd_per_t' THEN p.price_normalised
             WHEN p.unit_read ILIKE '%ton%' THEN p.price_usd_per_t ELSE p.price_usd_per_kg END
            AS amount
    FROM marts.prices AS p
    LEFT JOIN measures AS m USING (year)
    WHERE p.commodity_group = $commodity AND p.is_latest_edition AND p.year >= 2018
)
SELECT
    product,
    replace(price_basis, '_', ' ') || coalesce(', ' || any_value(terms), '') AS basis,
    unit,
    string_agg(year || CASE WHEN is_estimate THEN 'e' ELSE '' END || ' '
        || coalesce(CASE WHEN amount >= 100 THEN format('{:,}', round(amount)::BIGINT)
                         ELSE format('{:g}', round(amount, 2)) END, value_raw)
        || coalesce(' [' || ids || ']', ''), ', ' ORDER BY year) AS "by year (latest edition)",
    round(100 * arg_max(change_from_previous_year, year), 1) AS "last change %",
    string_agg(CASE WHEN revision <> 0 AND NOT revision_within_rounding
                    THEN year || ': ' || previous_edition || ' ' || previous_edition_value_raw
                         || ' -> ' || edition || ' ' || value_raw END, '; ') AS revised,
    any_value(quoted_source) AS "source USGS cites",
    any_value(unit_basis) AS "unit basis",
    string_agg(DISTINCT edition, ', ' ORDER BY edition) AS "USGS edition"
FROM shown
GROUP BY product, price_basis, unit
ORDER BY price_basis = 'market_quote' DESC, product

-- `minerals brief`, "Prices": USGS's price lines of the commodity (marts.prices, latest edition
-- of each year, 2018 on), per product, price basis and unit basis, in US dollars per kilogram
-- where the unit is a mass, with the source USGS cites and the delivery terms.
SELECT product, element, stage, price_basis, unit_basis, terms, quoted_source, source, edition,
       year, is_estimate, price_usd_per_kg, price_normalised, normalised_unit, value_raw
FROM marts.prices
WHERE commodity_group = $commodity AND is_latest_edition AND year >= 2018
ORDER BY product, price_basis, year

-- `minerals brief`, producer shares: the five largest producers of each stage in the latest
-- observed year of the series the headline uses (staging.representative_series), with the
-- source's words for what it measures. Production, never exports.
WITH headline AS (
    SELECT commodity, stage, source, basis, year
    FROM staging.representative_series
    WHERE commodity = $commodity AND is_headline AND basis = 'production'
)
SELECT s.stage, s.source, s.edition, s.year, s.rank, s.iso3, s.country, s.amount, s.unit,
       s.share, s.value_flag, s.measure, s.product, s.unit_basis
FROM marts.country_share AS s
JOIN headline AS h USING (commodity, stage, source, basis, year)
WHERE s.rank <= 5 AND NOT s.is_projection
ORDER BY list_position(['mining', 'refining', 'manufacturing'], s.stage), s.rank

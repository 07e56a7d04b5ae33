-- Panel "Most concentrated supply stages": the 15 highest HHIs of any mineral, headline series,
-- series listing fewer than three countries left out.
SELECT c.commodity, c.stage, c.source, c.year,
       CASE WHEN c.china_listed THEN c.china_share END AS china_share,
       c.china_listed, c.hhi, c.top1_iso3, c.top1_share, c.n_countries,
       c.concentration_band AS band
FROM marts.supply_concentration c
JOIN staging.representative_series r USING (commodity, stage, source, basis, year)
WHERE r.is_headline AND c.n_countries >= 3
ORDER BY hhi DESC, commodity
LIMIT 15

-- Panel "Mining vs refining concentration": the headline figure per focus (commodity, stage),
-- the series `make run` prints (staging.representative_series: USGS for mining, IEA for
-- refining where it publishes it, else USGS). China's share is null where the series does not
-- list China.
SELECT c.commodity, c.stage, c.source, c.year,
       CASE WHEN c.china_listed THEN c.china_share END AS china_share,
       c.china_listed, c.hhi, c.top1_iso3, c.top1_share, c.n_countries,
       c.concentration_band AS band
FROM marts.supply_concentration c
JOIN staging.representative_series r USING (commodity, stage, source, basis, year)
WHERE r.is_headline AND c.commodity IN (SELECT commodity FROM staging.focus_commodities)
ORDER BY commodity, stage

-- How the newest USGS edition revised the previous one for the same year (largest changes).
SELECT a.commodity, a.stage, a.year, a.country, a.edition AS older, a.amount AS older_t,
       b.edition AS newer, b.amount AS newer_t,
       round(100 * (b.amount - a.amount) / nullif(a.amount, 0), 1) AS revision_pct
FROM staging.production a
JOIN staging.production b
  ON a.source = b.source AND a.commodity = b.commodity AND a.stage = b.stage
 AND a.year = b.year AND a.iso3 = b.iso3 AND b.edition > a.edition
WHERE a.source = 'usgs_mcs' AND b.is_latest_edition AND a.amount > 0
ORDER BY abs(b.amount - a.amount) / a.amount DESC
LIMIT 25;

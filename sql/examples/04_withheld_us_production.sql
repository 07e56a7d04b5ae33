-- Where USGS withholds a country's figure (W) in the newest edition: those shares are unknown.
SELECT commodity, stage, year, country, edition, value_raw
FROM staging.production
WHERE value_flag = 'withheld' AND is_latest_edition
ORDER BY commodity, year, country;

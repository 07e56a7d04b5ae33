-- The commodities `minerals monitor COMMODITY` knows: those with a controlled line in the
-- partner-side monthly marts or a press-reported China customs figure.
SELECT commodity FROM marts.import_monitor
UNION
SELECT commodity FROM staging.china_customs_press
ORDER BY 1

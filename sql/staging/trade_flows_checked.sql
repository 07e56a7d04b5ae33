-- staging.trade_flows_checked: the BACI flows that pass every plausibility test, i.e.
-- staging.trade_flows less the flows staging.trade_outliers names (on the flow key). Every share,
-- concentration, dependence and stockpile figure reads this, so leaving the outliers out is done
-- once, here.
SELECT f.*
FROM staging.trade_flows AS f
WHERE NOT EXISTS (
    SELECT 1 FROM staging.trade_outliers AS o
    WHERE o.nomenclature = f.nomenclature AND o.year = f.year AND o.hs6 = f.hs6
      AND o.exporter_iso3 = f.exporter_iso3 AND o.importer_iso3 = f.importer_iso3)

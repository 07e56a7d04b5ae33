-- The twenty most concentrated (mineral, stage) series in their latest actual year, with what
-- the HHI cannot see (the share held by "Other countries" / "Rest of world").
SELECT source, commodity, stage, year, top1_iso3, round(100 * top1_share, 1) AS top1_pct,
       round(hhi) AS hhi, round(effective_suppliers, 2) AS effective_suppliers,
       round(100 * unallocated_share, 1) AS unallocated_pct
FROM marts.supply_concentration
WHERE NOT is_projection AND basis = 'production'
QUALIFY year = max(year) OVER (PARTITION BY source, commodity, stage)
ORDER BY hhi DESC
LIMIT 20;

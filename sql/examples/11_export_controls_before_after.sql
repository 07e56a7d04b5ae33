-- China's share of world exports of the HS codes each export control covers, before and after.
SELECT measure_id, nomenclature, measure, status, effective, period,
       CASE period WHEN 'before' THEN 0 WHEN 'effective_year' THEN 1 ELSE 2 END AS period_order,
       round(avg(covered_share) * 100, 1) AS avg_world_share_pct,
       round(sum(covered_value_usd) / 1e6, 1) AS covered_musd, min(year) AS from_year,
       max(year) AS to_year
FROM marts.export_control_exposure
WHERE importer_iso3 = 'WORLD' AND year >= 2015
GROUP BY ALL
ORDER BY effective, measure_id, nomenclature, period_order;

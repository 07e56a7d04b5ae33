-- `minerals brief`, the outlook: China's share of world output in 2030 per scenario of the
-- pipeline (marts.capacity_outlook, on the production series' own unit), beside IEA's own 2030
-- projection, and the ex-China output missing for the 50% and 65% lines.
SELECT stage, source, unit, base_year, scenario, year, china_share, iea_china_share_2030,
       ex_china_output_t, pipeline_capacity_added_t, pipeline_output_added_t, utilisation,
       shortfall_50pct_output_t, shortfall_65pct_output_t, us_jpn_demand_t,
       shortfall_us_jpn_demand_t, demand_missing
FROM marts.capacity_outlook
WHERE commodity = $commodity AND year = 2030
ORDER BY list_position(['mining', 'refining', 'manufacturing'], stage),
         list_position(['as_announced', 'delayed_2y', 'committed_only'], scenario)

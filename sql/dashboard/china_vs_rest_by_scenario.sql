-- Panel "China vs the rest, per scenario": China's and the rest of the world's output per
-- production series, scenario and year (marts.capacity_outlook) for the focus minerals, with
-- IEA's own 2030 and 2035 China shares to draw beside them.
SELECT commodity, stage, source, unit, scenario, year, is_outlook, base_year, utilisation,
       china_output_t, ex_china_output_t, china_share, pipeline_capacity_added_t,
       pipeline_output_added_t, iea_china_share_2030, iea_china_share_2035,
       china_on_iea_projection
FROM marts.capacity_outlook
WHERE commodity IN (SELECT commodity FROM staging.focus_commodities)
ORDER BY commodity, stage, source, scenario, year

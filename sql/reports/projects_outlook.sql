-- `minerals projects [COMMODITY]`: the 2030 outlook per scenario beside IEA's own projection,
-- the ex-China output needed for the 50% and 65% lines and for US+Japan demand, and the
-- shortfalls (marts.capacity_outlook). $commodity: a commodity key or NULL.
SELECT
    commodity,
    stage,
    scenario,
    year,
    round(100 * china_share, 1) AS "China %",
    round(100 * iea_china_share_2030, 1) AS "IEA 2030 China %",
    round(100 * top3_share, 1) AS "top-3 %",
    round(hhi) AS hhi,
    round(pipeline_capacity_added_t) AS "capacity added",
    round(pipeline_output_added_t) AS "output added",
    round(ex_china_output_t) AS "ex-China output",
    round(shortfall_50pct_output_t) AS "short of 50%",
    round(shortfall_65pct_output_t) AS "short of 65%",
    round(shortfall_us_jpn_demand_t) AS "short of US+JPN demand",
    unit
FROM marts.capacity_outlook
WHERE year = 2030 AND ($commodity IS NULL OR commodity = $commodity)
ORDER BY commodity, stage, scenario

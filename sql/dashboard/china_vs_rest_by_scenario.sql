-- Panel "China vs the rest": China's and the rest of the world's output per scenario and year,
-- with IEA's own 2030 and 2035 China shares to draw beside them (marts.capacity_outlook).
-- $commodity: the picked mineral's key.
SELECT commodity, stage, scenario, year, is_outlook, china_output_t, ex_china_output_t,
       china_share, iea_china_share_2030, iea_china_share_2035, unit
FROM marts.capacity_outlook
WHERE commodity = $commodity
ORDER BY stage, scenario, year

-- Panel "Prices and unit values": the screens' hits on the focus minerals, each in words.
SELECT commodity, 'flooding' AS screen, year::VARCHAR AS "when", evidence
FROM marts.screen_flooding WHERE fires
UNION ALL
SELECT commodity, 'price discrimination', measure_id || ', ' || window_months || ' months', evidence
FROM marts.screen_price_discrimination WHERE fires
UNION ALL
SELECT commodity, 'control premium', measure_id || ', ' || window_months || ' months', evidence
FROM marts.screen_control_premium WHERE fires
UNION ALL
SELECT CASE commodity WHEN 'rare_earths_heavy' THEN 'rare_earths' ELSE commodity END,
       'USGS price vs unit value', year::VARCHAR, evidence
FROM marts.screen_price_vs_unit_value WHERE fires
ORDER BY commodity, "when" DESC, screen

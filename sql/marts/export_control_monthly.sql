-- marts.export_control_monthly: China's monthly exports of each measure's codes, one row per
-- (measure_id, hs6, destination, period), for charts and the event study. destination is a
-- partner's ISO3, EU27 (members as constituted that year, staging.eu_membership), OTHERS (every
-- partner but USA and JPN) or ALL (every country partner in the series: the 39 tracked partners
-- of the snapshot, every partner live). A month with no row for a destination had no recorded
-- exports to it. value_with_quantity_usd: the value of the rows whose quantity is reported, the
-- numerator of unit_value_usd_per_kg (quantity is null where Comtrade has none).
WITH flows AS (
    SELECT c.measure_id, t.hs6, t.partner_iso3, t.period, t.value_usd, t.quantity,
           t.quantity_unit, c.is_shared
    FROM staging.trade_monthly t
    JOIN staging.export_control_codes c ON c.nomenclature = t.nomenclature AND c.hs6 = t.hs6
    WHERE t.reporter_iso3 = 'CHN' AND t.flow = 'X' AND NOT t.is_aggregate_partner
),
destinations AS (
    SELECT *, partner_iso3 AS destination FROM flows
    UNION ALL
    SELECT f.*, 'EU27' FROM flows f
    JOIN staging.eu_membership e
      ON e.iso3 = f.partner_iso3 AND year(f.period) >= e.joined
     AND (e."left" IS NULL OR year(f.period) < e."left")
    UNION ALL
    SELECT *, 'OTHERS' FROM flows WHERE partner_iso3 NOT IN ('USA', 'JPN')
    UNION ALL
    SELECT *, 'ALL' FROM flows
)
SELECT
    d.measure_id,
    d.hs6,
    d.destination,
    d.period,
    sum(d.value_usd) AS value_usd,
    sum(d.quantity) AS quantity,
    any_value(d.quantity_unit) AS quantity_unit,
    coalesce(sum(d.value_usd) FILTER (WHERE d.quantity IS NOT NULL), 0)
        AS value_with_quantity_usd,
    sum(d.value_usd) FILTER (WHERE d.quantity IS NOT NULL) / nullif(sum(d.quantity), 0)
        AS unit_value_usd_per_kg,
    count(*) AS partners,
    bool_or(d.is_shared) AS is_shared_code,
    m.effective,
    datediff('month', date_trunc('month', m.effective), d.period)::INTEGER
        AS months_from_effective,
    d.period >= date_trunc('month', m.effective) AS is_after_effective
FROM destinations d
JOIN staging.export_controls m USING (measure_id)
GROUP BY d.measure_id, d.hs6, d.destination, d.period, m.effective
ORDER BY d.measure_id, d.hs6, d.destination, d.period

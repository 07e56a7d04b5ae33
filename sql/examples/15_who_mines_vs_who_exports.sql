-- Who mines a mineral is not who exports its ores: production concentration (USGS, IEA;
-- marts.supply_concentration) next to the export concentration of the traded products (BACI;
-- marts.export_concentration), latest year of each, for every mineral with both. Antimony 2024:
-- China mines a third of the world's antimony but exports almost none of its ores.
WITH production AS (
    SELECT c.commodity, c.stage, c.year, c.source, c.top1_iso3 AS top_producer,
           round(100 * c.top1_share, 1) AS top_producer_pct,
           CASE WHEN c.china_listed THEN round(100 * c.china_share, 1) END AS china_production_pct
    FROM marts.supply_concentration c
    JOIN staging.representative_series r USING (source, commodity, stage, basis, year)
    WHERE r.is_headline
),
exports AS (
    SELECT commodity, stage, year AS export_year, top_exporter_iso3 AS top_exporter,
           round(100 * top_exporter_share, 1) AS top_exporter_pct,
           round(100 * china_share, 1) AS china_exports_pct, product_label AS traded_products
    FROM marts.export_concentration
    WHERE basis = 'export_quantity'
    QUALIFY year = max(year) OVER (PARTITION BY commodity, stage)
)
SELECT p.commodity, p.stage, p.source, p.year, p.top_producer, p.top_producer_pct,
       p.china_production_pct, e.export_year, e.top_exporter, e.top_exporter_pct,
       e.china_exports_pct, e.traded_products
FROM production p
JOIN exports e USING (commodity, stage)
ORDER BY abs(coalesce(p.china_production_pct, 0) - e.china_exports_pct) DESC, p.commodity;

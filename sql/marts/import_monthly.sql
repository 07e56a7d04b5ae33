-- marts.import_monthly: partner-side monthly imports on the national tariff lines the warehouse
-- maps (staging.national_tariff_lines), one row per (source, importer_iso3, origin_iso3,
-- nomenclature, code, period). Imports as the importer declares them (staging.partner_monthly,
-- flow M), never mirror estimates. importer_iso3 is the reporter, or EU27: the member states'
-- imports from outside the EU (members as constituted that year, staging.eu_membership), summed
-- over the members the source reports that month (n_reporters). origin_iso3 is a country of
-- origin, or WLD: every partner the importer reports for the line, including confidential and
-- unallocated partners (which have no country row). A month inside the source's coverage without
-- a row for an origin had no recorded imports from it. value_usd is null when one of the summed
-- rows has no exchange rate yet.
-- Net mass checked: a partner's month whose unit value is below a tenth of the value-weighted
-- median unit value of the importer's line (every partner and month) declares a mass no price
-- explains (keyed in the wrong unit, e.g. 835.6 t of magnets at 0.17 USD/kg): its mass is kept
-- in quantity_kg but left out of quantity_kg_checked and of the unit value, which the marts
-- downstream use. Weighted by value, the reference is the price most of the trade is bought at:
-- neither the inflated mass nor many dear small consignments (samples, special grades) move it,
-- and those consignments are not flagged (they hardly move the mass).
WITH lines AS (
    SELECT * FROM staging.national_tariff_lines
),
imports AS (
    SELECT p.source, p.reporter_iso3, p.partner_iso3, p.partner_code, p.is_aggregate_partner,
           p.nomenclature, p.national_code AS code, p.period, p.value_usd, p.quantity_kg,
           p.valuation, p.is_confidential
    FROM staging.partner_monthly p
    JOIN lines l ON l.nomenclature = p.nomenclature AND l.code = p.national_code
    WHERE p.flow = 'M'
),
members AS (
    SELECT i.*
    FROM imports i
    JOIN staging.eu_membership r
      ON r.iso3 = i.reporter_iso3 AND year(i.period) >= r.joined
     AND (r."left" IS NULL OR year(i.period) < r."left")
    WHERE i.source = 'eurostat'
      -- extra-EU only: a partner that is itself a member that year is intra-EU trade
      AND NOT EXISTS (
          SELECT 1 FROM staging.eu_membership o
          WHERE o.iso3 = i.partner_iso3 AND year(i.period) >= o.joined
            AND (o."left" IS NULL OR year(i.period) < o."left"))
),
importers AS (
    SELECT *, reporter_iso3 AS importer_iso3 FROM imports
    UNION ALL
    SELECT *, 'EU27' FROM members
),
-- one row per partner (a country, or the publisher's partner code of an aggregate) and month
partners AS (
    SELECT source, importer_iso3, nomenclature, code, period,
           CASE WHEN is_aggregate_partner OR partner_iso3 IS NULL THEN NULL
                ELSE partner_iso3 END AS origin_iso3,
           CASE WHEN is_aggregate_partner OR partner_iso3 IS NULL THEN partner_code
                ELSE partner_iso3 END AS partner,
           CASE WHEN count(value_usd) = count(*) THEN sum(value_usd) END AS value_usd,
           sum(quantity_kg) AS quantity_kg,
           string_agg(DISTINCT valuation, ', ' ORDER BY valuation) AS valuation,
           count(DISTINCT reporter_iso3) AS n_reporters,
           bool_or(is_confidential) AS is_confidential
    FROM importers
    GROUP BY ALL
),
-- the value-weighted median unit value of the importer's line (every partner and month): the
-- unit value at which the middle dollar was spent
priced AS (
    SELECT source, importer_iso3, nomenclature, code, value_usd / quantity_kg AS unit_value,
           sum(value_usd) OVER (PARTITION BY source, importer_iso3, nomenclature, code
                                ORDER BY value_usd / quantity_kg
                                ROWS UNBOUNDED PRECEDING) AS cumulative_usd,
           sum(value_usd) OVER (PARTITION BY source, importer_iso3, nomenclature, code)
               AS total_usd
    FROM partners WHERE quantity_kg > 0 AND value_usd > 0
),
medians AS (
    SELECT source, importer_iso3, nomenclature, code,
           min(unit_value) FILTER (WHERE cumulative_usd >= total_usd / 2) AS median_unit_value
    FROM priced GROUP BY ALL
),
checked AS (
    SELECT p.*, m.median_unit_value,
           coalesce(p.quantity_kg > 0 AND p.value_usd >= 0
               AND p.value_usd / p.quantity_kg < m.median_unit_value / 10, false) AS is_outlier
    FROM partners p
    LEFT JOIN medians m USING (source, importer_iso3, nomenclature, code)
),
origins AS (
    SELECT *, origin_iso3 AS origin FROM checked WHERE origin_iso3 IS NOT NULL
    UNION ALL
    SELECT *, 'WLD' FROM checked
)
SELECT
    o.source,
    o.importer_iso3,
    o.origin AS origin_iso3,
    o.nomenclature,
    o.code,
    o.period,
    l.commodity,
    l.element,
    l.product,
    l.stage,
    l.hs6,
    l.is_basket,
    'imports' AS basis,
    CASE WHEN count(o.value_usd) = count(*) THEN sum(o.value_usd) END AS value_usd,
    sum(o.quantity_kg) AS quantity_kg,
    sum(o.quantity_kg) FILTER (WHERE NOT o.is_outlier) AS quantity_kg_checked,
    coalesce(sum(o.value_usd) FILTER (WHERE o.quantity_kg IS NOT NULL AND NOT o.is_outlier), 0)
        AS value_with_quantity_usd,
    sum(o.value_usd) FILTER (WHERE o.quantity_kg IS NOT NULL AND NOT o.is_outlier)
        / nullif(sum(o.quantity_kg) FILTER (WHERE NOT o.is_outlier), 0) AS unit_value_usd_per_kg,
    string_agg(DISTINCT o.valuation, ', ' ORDER BY o.valuation) AS valuation,
    max(o.n_reporters)::INTEGER AS n_reporters,
    bool_or(o.is_confidential) AS has_confidential_rows,
    count(*) FILTER (WHERE o.is_outlier)::INTEGER AS outlier_partners,
    CASE WHEN bool_or(o.is_outlier) THEN 'mass left out for '
        || string_agg(o.partner || ' (' || round(o.value_usd / o.quantity_kg, 2) || ' USD/kg)', ', ')
           FILTER (WHERE o.is_outlier)
        || ': below a tenth of the line''s median unit value ('
        || round(any_value(o.median_unit_value), 2) || ' USD/kg)' END AS outlier_note,
    l.nomenclature || ' ' || l.code || ': ' || l.product
        || CASE WHEN l.is_basket THEN '; a basket: an upper bound for each' ELSE '' END
        AS scope_label
FROM origins o
JOIN lines l ON l.nomenclature = o.nomenclature AND l.code = o.code
GROUP BY ALL
ORDER BY o.source, o.importer_iso3, o.nomenclature, o.code, o.origin, o.period

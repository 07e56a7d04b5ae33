-- `minerals brief`: China's own 2025 customs figures on the commodity as the press reported
-- them (staging.china_customs_press), single months only, the chosen figure of each: to the
-- world, to the importer or its members. PRESS-REPORTED, not the warehouse's data.
SELECT series, element, product, stage, partner_iso3, period_start AS month, quantity, unit, label,
       outlet, url
FROM staging.china_customs_press
WHERE is_primary AND months = 1 AND commodity = $commodity
  AND (partner_iso3 IN ('WLD', $importer)
       OR partner_iso3 IN (SELECT iso3 FROM staging.bloc_members
                           WHERE bloc = $importer AND "left" IS NULL))
ORDER BY series, partner_iso3 = 'WLD' DESC, partner_iso3, month

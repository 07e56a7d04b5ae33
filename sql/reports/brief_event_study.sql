-- `minerals brief`, what the controls did to China's exports (UN Comtrade, China's monthly
-- declarations): the event study of each measure on the commodity's codes, to the importer (or
-- each member of a bloc) and to every partner, on COMPLETE windows only (both windows covered
-- month by month), with the months each window covers; a basket code says so (upper bound).
-- incomplete_windows counts what was left out for the same measure, code and destination.
WITH measures AS (
    SELECT measure_id FROM staging.export_controls WHERE list_contains(commodities, $commodity)
),
destinations AS (
    SELECT $importer AS destination
    UNION SELECT iso3 FROM staging.bloc_members  -- a bloc without rows of its own: its members
          WHERE bloc = $importer AND "left" IS NULL
            AND NOT EXISTS (SELECT 1 FROM marts.export_control_event_study
                            WHERE destination = $importer)
    UNION SELECT 'ALL'
),
rows AS (
    SELECT e.*, months_before = window_months AND months_after = window_months AS complete
    FROM marts.export_control_event_study AS e
    WHERE e.measure_id IN (SELECT measure_id FROM measures)
      AND e.destination IN (SELECT destination FROM destinations)
)
SELECT measure_id, measure, effective, hs6, destination, window_months,
       before_covered_from, before_covered_to, months_before,
       after_covered_from, after_covered_to, months_after,
       value_before_usd, value_after_usd, value_change, quantity_before, quantity_after,
       quantity_unit, is_target, is_shared_code, shared_code_note,
       (SELECT any_value(product)  -- a basket in words: "gallium, germanium and other metals"
        FROM staging.dim_hs_content AS c
        WHERE c.hs6 = rows.hs6 AND c.basket = 'commodity') AS basket_words,
       count(*) FILTER (WHERE NOT complete) OVER (PARTITION BY measure_id, hs6, destination)
           AS incomplete_windows
FROM rows
QUALIFY complete
ORDER BY effective, measure_id, hs6, destination = 'ALL', destination, window_months

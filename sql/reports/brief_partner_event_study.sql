-- `minerals brief ... --importer X`: the importer's (or its members') own imports around each
-- measure on the commodity (marts.import_event_study), complete windows only: the change of its
-- imports from China and China's share before and after, each line with its scope in words.
SELECT measure_id, importer_iso3, source, code, scope_label, is_basket, window_name,
       before_from, after_to, value_before_usd, value_after_usd, value_change,
       china_share_before, china_share_after
FROM marts.import_event_study
WHERE commodity = $commodity AND is_complete AND origin = 'CHN'
  AND (importer_iso3 = $importer
       OR importer_iso3 IN (  -- a bloc without lines of its own: its members'
              SELECT iso3 FROM staging.bloc_members WHERE bloc = $importer AND "left" IS NULL
                  AND NOT EXISTS (SELECT 1 FROM marts.import_event_study WHERE importer_iso3 = $importer)))
ORDER BY effective, measure_id, importer_iso3, code, window_months

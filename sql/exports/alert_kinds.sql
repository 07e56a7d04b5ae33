-- The exports manifest: the kinds of marts.alerts as the data has them, each in words
-- (staging.alert_kinds) with how many alerts it holds: derived, so it cannot drift.
SELECT a.kind, any_value(k.label) AS label, any_value(k.description) AS description,
       count(*) AS alerts
FROM marts.alerts a
LEFT JOIN staging.alert_kinds k USING (kind)
GROUP BY a.kind
ORDER BY a.kind

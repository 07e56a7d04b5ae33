-- Panel "Latest alerts": how many alerts of each kind are recorded.
SELECT a.kind, any_value(k.label) AS kind_label, count(*) AS n
FROM marts.alerts a
LEFT JOIN staging.alert_kinds k USING (kind)
GROUP BY a.kind
ORDER BY a.kind

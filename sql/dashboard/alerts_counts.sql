-- Panel "Latest alerts": how many alerts of each kind are recorded.
SELECT kind, count(*) AS n FROM marts.alerts GROUP BY kind ORDER BY kind

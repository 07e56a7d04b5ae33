-- Alerts in plain words, newest data year first.
SELECT year, kind, message, first_seen_at
FROM marts.alerts
ORDER BY year DESC, kind, message
LIMIT 30;

-- Alerts a former rule recorded that no rule words that way any more, removed from the history
-- at each refresh (docs/migrations.md):
-- - issue 26: concentration of BACI exports was recorded as production concentration ("antimony
--   mining: now highly concentrated ... (BACI export quantity 2024)"); the same findings are now
--   the kinds exports_became_highly_concentrated and china_export_share_up_5pts.
DELETE FROM marts.alerts
WHERE source = 'baci' AND kind IN ('became_highly_concentrated', 'china_share_up_5pts')

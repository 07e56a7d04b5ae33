-- The dashboard page: when the published warehouse was refreshed.
SELECT max(refreshed_at) AS refreshed_at FROM meta.refresh

-- `minerals status`: when the published warehouse was refreshed, by which run, from what.
SELECT refreshed_at, run_id, source_mode FROM meta.refresh

-- `minerals refresh`: when the warehouse just published was refreshed.
SELECT refreshed_at FROM meta.refresh

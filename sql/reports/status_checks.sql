-- `minerals status`: the checks of the refresh that produced the published warehouse, failures
-- first.
SELECT asset, check_name, passed, severity, description
FROM meta.check_results
ORDER BY passed, asset, check_name

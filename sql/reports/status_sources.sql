-- `minerals status`: each source's files and editions in the published warehouse, editions in
-- order.
SELECT source, count(*) AS files, list(DISTINCT editions ORDER BY editions) AS editions
FROM meta.source_files
GROUP BY source
ORDER BY source

-- Which production series represents each (commodity, stage): the one rule the headline, the
-- dashboard and the risk marts share. Preferred source per stage: USGS for mining (every
-- country); IEA for refining and manufacturing where it publishes the commodity (its refining
-- tables are built for that stage), else USGS. Each year uses the preferred source when it has
-- that year, else the other; the headline shows the latest year of the preferred source, so a
-- newer year from a second source never mixes into the headline (copper refining: IEA 2024,
-- not USGS 2025). Projections are left out.
WITH series AS (
    SELECT source, commodity, stage, basis, year,
           CASE WHEN stage = 'mining' AND source = 'usgs_mcs' THEN 0
                WHEN stage <> 'mining' AND source = 'iea' THEN 0
                ELSE 1 END AS source_rank
    FROM marts.supply_concentration
    WHERE basis = 'production' AND NOT is_projection
),
preferred AS (
    SELECT commodity, stage, min(source_rank) AS best_rank
    FROM series GROUP BY commodity, stage
),
per_year AS (
    SELECT s.*, s.source_rank = p.best_rank AS is_preferred_source
    FROM series s JOIN preferred p USING (commodity, stage)
    QUALIFY row_number() OVER (
        PARTITION BY s.commodity, s.stage, s.year ORDER BY s.source_rank, s.source) = 1
)
SELECT
    commodity,
    stage,
    year,
    source,
    basis,
    is_preferred_source,
    coalesce(is_preferred_source AND year = max(year) FILTER (WHERE is_preferred_source) OVER (
        PARTITION BY commodity, stage), false) AS is_headline
FROM per_year
ORDER BY commodity, stage, year

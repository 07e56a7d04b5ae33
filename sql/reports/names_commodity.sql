-- Every name a commodity goes by, for matching what a user types to a key (`minerals show
-- REE`): (key, name), the key in words first, then the aliases of data/seeds/commodity_aliases.csv.
SELECT key, name FROM (
    SELECT DISTINCT commodity AS key, replace(commodity, '_', ' ') AS name, 1 AS rank
    FROM staging.commodity_alias
    UNION ALL SELECT commodity, alias, 2 FROM staging.commodity_alias
)
ORDER BY key, rank, name

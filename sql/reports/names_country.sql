-- Every name a country or importer bloc goes by, for matching what a user types to a key
-- (`minerals exposure Japan`, `scenario China`): (key, name), the display name first, then the
-- ISO2 code, the ISO and UN names and the sources' aliases (staging.country_alias).
SELECT key, name FROM (
    SELECT iso3 AS key, name, 1 AS rank FROM staging.dim_country
    UNION ALL SELECT iso3, iso2, 2 FROM staging.dim_country
    UNION ALL SELECT iso3, official_name, 3 FROM staging.dim_country
    UNION ALL SELECT iso3, un_short_name, 4 FROM staging.dim_country
    UNION ALL SELECT iso3, alias, 5 FROM staging.country_alias
    UNION ALL SELECT DISTINCT bloc, CASE bloc
            WHEN 'EU27' THEN 'European Union'
            WHEN 'USA_JPN' THEN 'United States and Japan'
            ELSE lower(bloc) END, 1
        FROM staging.bloc_members
    UNION ALL SELECT 'EU27', 'EU', 2
)
WHERE name IS NOT NULL
ORDER BY key, rank, name

-- `minerals brief ... --importer BLOC`: the members of an importer bloc (staging.bloc_members;
-- today's members), none for a country.
SELECT DISTINCT iso3 FROM staging.bloc_members WHERE bloc = $importer AND "left" IS NULL ORDER BY iso3

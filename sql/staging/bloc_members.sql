-- staging.bloc_members: one row per (bloc, iso3, joined): the importer blocs and their members.
-- EU27 as constituted each year (staging.eu_membership), USA_JPN (the US-Japan framework) and the
-- partner group of data/seeds/partner_group.csv (code = upper-case group name; its EU27 member
-- stands for that year's member states). A member counts for years >= joined and < left.
SELECT 'EU27' AS bloc, iso3, joined, "left" FROM staging.eu_membership
UNION ALL
SELECT 'USA_JPN', iso3, NULL::INT, NULL::INT FROM (VALUES ('USA'), ('JPN')) t(iso3)
UNION ALL
SELECT upper(p.group_name), p.member_iso3, NULL::INT, NULL::INT
FROM staging.partner_group p WHERE p.member_iso3 <> 'EU27'
UNION ALL
SELECT upper(p.group_name), m.iso3, m.joined, m."left"
FROM staging.partner_group p JOIN staging.eu_membership m ON p.member_iso3 = 'EU27'

-- The dashboard page: the focus minerals of the picker, in the seed's order
-- (data/seeds/focus_commodities.csv, the headline's minerals).
SELECT commodity FROM staging.focus_commodities ORDER BY position

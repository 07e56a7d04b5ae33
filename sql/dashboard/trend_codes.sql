-- Panel "China's share over time" (with trade), notes in words: the HS codes of each focus
-- (commodity, stage) trade series, their nomenclature and the label its figures carry
-- (staging.trade_products: a basket says so, "HS 811292: ...; upper bound").
SELECT commodity, stage, nomenclature, hs_codes AS codes, includes_basket AS shared,
       product_label
FROM staging.trade_products
WHERE commodity IN (SELECT commodity FROM staging.focus_commodities)

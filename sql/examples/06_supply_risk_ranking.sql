-- Supply risk (EU JRC HHI_WGI, 0-10): concentration weighted by governance, latest year.
SELECT source, commodity, stage, basis, year, round(hhi_wgi, 2) AS hhi_wgi,
       round(hhi_fraction, 3) AS hhi_0_1, round(share_weighted_wgi_risk, 2) AS governance_risk,
       largest_contributor_iso3, uses_carried_forward_wgi
FROM marts.supply_risk
QUALIFY year = max(year) OVER (PARTITION BY source, commodity, stage, basis)
ORDER BY hhi_wgi DESC
LIMIT 20;

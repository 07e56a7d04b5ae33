"""A project row must cite its page and count its capacity on a scope the warehouse knows."""

import dagster as dg

from pipelines.defs.quality import query_rows, rows_check_result
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.tables import table_key

# One row per broken rule, so the failure says what is wrong with which project.
_UNSOURCED = """
    WITH rules AS (
        SELECT p.project_id, p.scope, p.online_year, 'no source page (source_url)' AS problem
        FROM staging.projects p
        WHERE coalesce(p.source_url, '') NOT SIMILAR TO 'https?://.+'
        UNION ALL
        SELECT p.project_id, p.scope, p.online_year, 'no status page (status_source_url)'
        FROM staging.projects p
        WHERE coalesce(p.status_source_url, '') NOT SIMILAR TO 'https?://.+'
        UNION ALL
        SELECT p.project_id, p.scope, p.online_year, 'no access date (accessed YYYY-MM-DD)'
        FROM staging.projects p
        WHERE try_strptime(p.accessed, '%Y-%m-%d') IS NULL
        UNION ALL
        SELECT p.project_id, p.scope, p.online_year, 'no capacity'
        FROM staging.projects p
        WHERE p.capacity IS NULL OR p.capacity <= 0
        UNION ALL
        SELECT p.project_id, p.scope, p.online_year, 'scope not in staging.capacity_scopes'
        FROM staging.projects p
        WHERE p.scope NOT IN (SELECT scope FROM staging.capacity_scopes)
        UNION ALL
        SELECT p.project_id, p.scope, p.online_year, 'country not outside China or unknown'
        FROM staging.projects p
        WHERE p.country_iso3 = 'CHN'
           OR p.country_iso3 NOT IN (SELECT iso3 FROM staging.dim_country)
    )
    SELECT * FROM rules ORDER BY project_id, scope, online_year, problem LIMIT 50"""


@dg.asset_check(
    asset=table_key("staging.projects"),
    blocking=True,
    additional_deps=[table_key("staging.capacity_scopes"), table_key("staging.dim_country")],
    description="Every project row cites the page of its capacity and of its status (http/https "
    "address, access date) and counts a positive capacity on a scope of "
    "staging.capacity_scopes, in a known country other than China.",
)
def projects_are_sourced(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    bad = query_rows(warehouse, _UNSOURCED)
    return rows_check_result(
        bad,
        "every project row is sourced and scoped",
        "project rows refused",
        messages=[f"{r['project_id']} ({r['scope']}): {r['problem']}" for r in bad],
    )

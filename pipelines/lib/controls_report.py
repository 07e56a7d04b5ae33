"""`minerals controls [MEASURE_ID]`: China's export controls, their status and what each did to
trade, read from the published marts (export_controls, export_control_event_study,
export_control_exposure). Each section is (heading, SQL, parameters); the CLI prints them."""

import argparse

# Destinations shown: the two the rapid-response group follows, the EU27 bloc, and every partner.
DESTINATIONS = ("USA", "JPN", "EU27", "ALL")

MEASURES = """
    SELECT measure_id, announced, effective, status, status_changed AS changed,
           coalesce(target_iso3, 'all') AS target, measure
    FROM staging.export_controls
    WHERE ? IS NULL OR measure_id = ?
    ORDER BY effective, measure_id"""

EVENT_STUDY = """
    SELECT measure_id, hs6, destination, window_months AS months,
           months_before AS m_before, months_after AS m_after,
           round(value_before_usd / 1e6, 2) AS "before $m",
           round(value_after_usd / 1e6, 2) AS "after $m",
           round(100 * value_change, 1) AS "change %",
           round(unit_value_before_usd_per_kg, 1) AS "$/kg before",
           round(unit_value_after_usd_per_kg, 1) AS "$/kg after",
           is_target AS target, is_shared_code AS "upper bound"
    FROM marts.export_control_event_study
    WHERE (? IS NULL AND window_months = 12 OR measure_id = ?)
      AND destination IN ('USA', 'JPN', 'EU27', 'ALL')
    ORDER BY effective, measure_id, hs6, window_months,
             list_position(['USA', 'JPN', 'EU27', 'ALL'], destination)"""

EXPOSURE = """
    SELECT measure_id, nomenclature AS hs, importer_iso3 AS importer, year,
           round(covered_value_usd / 1e6, 1) AS "covered $m",
           round(100 * covered_share, 1) AS "China % of supply",
           includes_shared_codes AS "upper bound"
    FROM marts.export_control_exposure
    WHERE (? IS NULL AND importer_iso3 = 'WORLD' OR measure_id = ?)
      AND importer_iso3 IN ('WORLD', 'USA', 'JPN') AND year IS NOT NULL
    QUALIFY year = max(year) OVER (PARTITION BY measure_id, nomenclature)
    ORDER BY effective, measure_id, nomenclature, importer_iso3 <> 'WORLD', importer_iso3"""

COVERAGE = """
    SELECT measure_id, any_value(coverage_note) AS "measured on"
    FROM marts.export_control_exposure
    WHERE ? IS NULL OR measure_id = ?
    GROUP BY measure_id, effective ORDER BY effective, measure_id"""


def sections(measure_id: str | None) -> list[tuple[str, str, list]]:
    """What to print, in order, for one measure or (None) every measure."""
    one = measure_id is not None
    params = [measure_id, measure_id]
    return [
        ("Measures (curated seed data/seeds/export_controls.csv)", MEASURES, params),
        (
            "China's monthly exports, the months before the effective month vs from it on "
            + ("(3, 6 and 12-month windows)" if one else "(12-month windows)")
            + "; m_before/m_after = months the data cover; 'upper bound': a basket code",
            EVENT_STUDY,
            params,
        ),
        (
            "Annual BACI trade the codes cover, latest year per nomenclature "
            "(covered $m = China's exports; China % of supply = of all suppliers' exports)",
            EXPOSURE,
            params,
        ),
        ("What each measure is measured on", COVERAGE, params),
    ]


def main(args: argparse.Namespace) -> int:
    from pipelines.cli import _connect_readonly, _print_relation, _require_known

    con = _connect_readonly()
    measure = None  # every measure
    if args.measure_id:
        known = [
            r[0]
            for r in con.execute(
                "SELECT measure_id FROM staging.export_controls ORDER BY 1"
            ).fetchall()
        ]
        measure = _require_known(
            args.measure_id, known, "measure", "select measure_id from staging.export_controls"
        )
    for i, (heading, sql, params) in enumerate(sections(measure)):
        print(("\n" if i else "") + heading + "\n")
        _print_relation(con.sql(sql, params=params))
    return 0

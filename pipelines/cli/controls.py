"""`minerals controls [MEASURE_ID]`: China's export controls, their status and what each did to
trade, read from the published marts (export_controls, export_control_event_study,
export_control_exposure): one report entry."""

from pipelines.cli.reports import Arg, Report, Section

CONTROLS = Report(
    "controls",
    "China's export controls and what each did to trade",
    (
        Arg(
            "measure",
            "e.g. CN-2023-39 (default: every measure)",
            keys="controls_measure_ids",
            what="measure",
            optional=True,
        ),
    ),
    (
        Section("Measures (curated seed data/seeds/export_controls.csv)", "controls_measures"),
        Section(
            "China's monthly exports, the months before the effective month vs from it on "
            "(12-month windows; 3, 6 and 12 for one measure); the months the data cover in "
            "each window; a change only where both windows are complete; 'upper bound': a "
            "basket code (its change is the code's, not the mineral's)",
            "controls_event_study",
        ),
        Section(
            "Annual BACI trade the codes cover, latest year per nomenclature "
            "(covered $m = China's exports; China % of supply = of all suppliers' exports)",
            "controls_exposure",
        ),
        Section("What each measure is measured on", "controls_coverage"),
    ),
)


def add_parser(sub) -> None:
    CONTROLS.add_parser(sub)

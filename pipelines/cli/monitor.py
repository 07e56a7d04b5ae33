"""`minerals monitor [COMMODITY]`: current to the month. For the watched importers (USA, JPN,
EU27, GBR): the latest month of each controlled line against a year earlier and the measure it
has been under since, what changed since that measure (equal windows), the monthly series from
China, and China's own 2025 figures as the press reported them: one report entry, each section
a file under sql/reports/ taking `$commodity` (none: every commodity)."""

from pipelines.cli.reports import Arg, Report, Section

MONITOR = Report(
    "monitor",
    "the latest month of the controlled lines for USA, JPN, EU27, GBR",
    (
        Arg(
            "commodity",
            "e.g. rare_earths (or 'rare earths'), gallium (default: every commodity)",
            keys="monitor_commodities",
            what="commodity",
            names="commodity",
            optional=True,
        ),
    ),
    (
        Section(
            "Latest month per controlled line: imports as each importer declares them, from "
            "China and from all origins, against the same month a year earlier (net mass, "
            "recording outliers left out; value where the publisher gives no mass). A basket "
            "line is an upper bound. origins: the partners the source's extract holds for the "
            "importer; China's columns are blank where China is not among them.",
            "monitor_latest",
        ),
        Section(
            "Since the measure: the importer's imports from China on equal windows before and "
            "from the effective month (the longest window the data cover on both sides)",
            "monitor_since_measure",
        ),
        Section(
            "Monthly imports from China, every month the publisher covers (0 = no recorded "
            "imports)",
            "monitor_monthly",
        ),
        Section(
            "China's own 2025 customs figures, PRESS-REPORTED (news pages, each linked; checked: "
            "the year-to-date totals add up with the months; not the warehouse's data)",
            "monitor_press",
        ),
        Section(
            "Alerts: a latest month's drop of half or more, or doubling, against the same month "
            "a year earlier (worded with scope and basis)",
            "monitor_alerts",
        ),
    ),
)


def add_parser(sub) -> None:
    MONITOR.add_parser(sub)

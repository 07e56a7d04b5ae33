"""What the live refresh downloads, and from where (base URLs come from the resources).

Only current editions are fetched: MCS2022-2024 chapter tables are archived releases and ship
in the snapshot. Item ids are the USGS ScienceBase items of each data release.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class LiveFile:
    source: str
    filename: str
    path: str  # appended to the source's base URL

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/{self.path.lstrip('/')}"


USGS_LIVE_FILES = [
    # MCS2025 world production, capacity and reserves (ScienceBase item 6798fd34d34ea8c18376e8ee)
    LiveFile(
        "usgs_mcs", "MCS2025_World_Data.csv", "6798fd34d34ea8c18376e8ee?name=MCS2025_World_Data.csv"
    ),
    # MCS2026 data release, all chapters (DOI 10.5066/P1WKQ63T, item 696a75d5d4be0228872d3bf8)
    LiveFile(
        "usgs_mcs",
        "MCS2026_Commodities_Data.csv",
        "696a75d5d4be0228872d3bf8?name=MCS2026_Commodities_Data.csv",
    ),
]
IEA_LIVE_FILES = [
    LiveFile(
        "iea",
        "CM_Data_Explorer_May2024.xlsx",
        "critical-minerals-data-explorer/CM_Data_Explorer_May2024.xlsx",
    ),
]

"""What the partner-side monthly sources share: the months and codes to ask for, and the lineage
(file, sha256, landing time) every raw row carries. The clients are one module per publisher:
`hmrc.py`, `comext.py`, `uscensus.py`, `estat.py`; exchange rates in `ecb.py`.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.lib.seeds import load_seed
from pipelines.lib.sources.landing import LandedFile, versions

# Live mode asks for this month onwards: twelve months before the first 2025 measure, so each
# month after it has its same month a year earlier.
FIRST_MONTH = date(2024, 1, 1)


def months(first: date, today: date) -> list[date]:
    """First days of the months from `first` to the month before `today` (never complete)."""
    out, year, month = [], first.year, first.month
    while (year, month) < (today.year, today.month):
        out.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def hs6_codes() -> list[str]:
    """HS6 subheadings whose national lines are fetched: every code of the HS-to-mineral seed
    and every code an export-control measure names."""
    mineral = set(load_seed("hs_mineral")["hs6"])
    controlled = load_seed("export_controls")["hs6_announced"].str.split(";").explode()
    return sorted(c for c in mineral | set(controlled.to_list()) if len(c) == 6 and c.isdigit())


@dataclass(frozen=True)
class Lineage:
    source: str
    file: str  # path under the landing root: <source>/<date>/<sha>/<name>
    sha256: str
    landed_at: str | None

    def columns(self) -> dict:
        return {
            "_source": pl.lit("live"),
            "_source_file": pl.lit(self.file),
            "_sha256": pl.lit(self.sha256),
            "_landed_at": pl.lit(self.landed_at, pl.String),
        }


def lineage(source: str, landed: LandedFile, landing_root: Path) -> Lineage:
    """Where a landed version sits, its sha256 and when it was landed (from the index)."""
    root = Path(landing_root)
    rel = Path(landed.path).relative_to(root).as_posix()
    landed_at = None
    for entry in versions(root, source, Path(landed.path).name):
        if entry.get("sha256") == landed.sha256:
            landed_at = entry.get("fetched_at")  # the first landing of these bytes
            break
    return Lineage(source, rel, landed.sha256, landed_at)

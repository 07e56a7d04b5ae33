"""Run geopolrisk-py 2.0.1 (the GeoPolRisk reference implementation) on inputs handed over as
JSON, and print its results as JSON.

Runs in its own venv (.venv/geopolrisk, built by `make install` from
tests/support/geopolrisk-requirements.txt: the package pins pandas <= 2.3.3 and Python < 3.12,
the warehouse runs pandas 3), so it imports nothing from this project. Called by
tests/e2e/test_geopolrisk_reference.py with HOME set to a temporary folder: on import the package
creates ~/Documents/geopolrisk (logs, a results workbook and database).

The package's own calculation runs unchanged, `main.gprs_calc`: its HS-code map per raw
material (`mapped_baci`), its aggregation of a region's trade (partners inside the region at
zero risk), its production HHI and domestic production (`core.HHI`) and its formula
(`core.GeoPolRisk`). Only its bundled data are replaced by the test's: the production table of
each raw material (`databases.production[sheet]`) and the BACI flows with each partner's
normalised WGI (`databases.baci_trade`). Its bundled BACI table (1.26 million rows, about 50 s
to load through one sub-query per row) is loaded empty, since it is replaced anyway.

stdin: {"years", "countries", "materials", "regions", "production": {sheet: [rows]},
"trade": [rows]}; stdout: [{"country", "material", "year", "score", "hhi", "import_risk"}].
"""

import contextlib
import json
import sys

import pandas as pd

_read_sql_query = pd.read_sql_query


def _without_bundled_trade(query, con, *args, **kwargs):
    if "from baci_trade bacitab" in query:
        query += "\nLIMIT 0"
    return _read_sql_query(query, con, *args, **kwargs)


pd.read_sql_query = _without_bundled_trade

with contextlib.redirect_stdout(sys.stderr):  # the package prints as it imports and runs
    from geopolrisk.assessment import main
    from geopolrisk.assessment.database import databases


def run(spec: dict) -> list[dict]:
    for sheet, rows in spec["production"].items():
        databases.production[sheet] = pd.DataFrame(rows)
    # partnerWGI: a float, or "NA" for a partner WGI does not score (the package's default 0.5)
    databases.baci_trade = pd.DataFrame(spec["trade"])
    result = main.gprs_calc(
        spec["years"], spec["countries"], spec["materials"], region_dict=spec["regions"]
    )
    return [
        {
            "country": r["Country [Economic Entity]"],
            "material": r["Raw Material"],
            "year": int(r["Year"]),
            "score": float(r["GeoPolRisk Score"]),
            "hhi": float(r["HHI"]),
            "import_risk": float(r["Import Risk"]),
        }
        for _, r in result.iterrows()
    ]


if __name__ == "__main__":
    spec = json.load(sys.stdin)
    with contextlib.redirect_stdout(sys.stderr):
        results = run(spec)
    json.dump(results, sys.stdout)

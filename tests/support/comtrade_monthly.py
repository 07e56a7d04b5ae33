"""UN Comtrade's monthly API (`/C/M/HS`) replayed from the bundled real monthly series."""

import csv

from pipelines.defs.trade.monthly import CHINA_MONTHLY
from pipelines.lib.paths import SNAPSHOT_DIR

MONTHLY_PATH = "/data/v1/get/C/M/HS"


def raw_rows() -> list[dict]:
    with open(SNAPSHOT_DIR / CHINA_MONTHLY, newline="") as f:
        return list(csv.DictReader(f))


# Comtrade's M49 codes of the partners replayed (as in the BACI country code table).
M49 = {"USA": 842, "JPN": 392, "DEU": 276, "KOR": 410}


def api_records():
    """The snapshot's 2024 rows for four partners in the API v1 monthly record shape (field
    names and types as the API returns them), plus each month's World row (their sum)."""
    names = {"USA": "USA", "Japan": "JPN", "Germany": "DEU", "South Korea": "KOR"}
    records = []
    for r in raw_rows():
        if r["partner_name"] in names and r["period_dt"].startswith("2024"):
            period = r["period_dt"][:4] + r["period_dt"][5:7]
            records.append(
                {
                    "typeCode": "C",
                    "freqCode": "M",
                    "refPeriodId": int(period + "01"),
                    "refYear": 2024,
                    "refMonth": int(period[4:]),
                    "period": period,
                    "reporterCode": 156,
                    "flowCode": "X",
                    "partnerCode": M49[names[r["partner_name"]]],
                    "partner2Code": 0,
                    "classificationCode": "H6",
                    "cmdCode": r["hs6"],
                    "customsCode": "C00",
                    "motCode": 0,
                    "netWgt": float(r["qty"]),
                    "primaryValue": float(r["val"]),
                }
            )
    world = {}
    for rec in records:
        w = world.setdefault(
            (rec["period"], rec["cmdCode"]), {**rec, "partnerCode": 0, "primaryValue": 0.0}
        )
        w["primaryValue"] += rec["primaryValue"]
    return records + list(world.values())


def monthly_api(records):
    def handler(query):
        wanted = {
            k: set(v[0].split(","))
            for k, v in query.items()
            if k in ("reporterCode", "partnerCode", "cmdCode", "flowCode", "period")
        }
        hits = [r for r in records if all(str(r[k]) in v for k, v in wanted.items())]
        return 200, {}, {"elements": [], "count": len(hits), "data": hits}

    return handler

"""ECB reference exchange rates (monthly averages) for converting the publishers' currencies.

Evidence (checked 2026-12-07): the ECB Data Portal API, `GET https://data-api.ecb.europa.eu/
service/data/EXR/M.<CCY>.EUR.SP00.A?format=csvdata` (keyless; columns KEY, FREQ, CURRENCY, ...,
TIME_PERIOD YYYY-MM, OBS_VALUE: units of the currency per euro), as the peer project's
`pipeline/fx.py` (Varcolacus/critical-materials-atlas) reads it and as its two files in the
snapshot show. ECB statistics may be reused with the source quoted.
"""

import time
from pathlib import Path

import requests

from pipelines.lib.sources.http import DEFAULT_POLICY, RetryPolicy, Sleep
from pipelines.lib.sources.landing import LandedFile, land_file

SOURCE = "ecb"
BASE_URL = "https://data-api.ecb.europa.eu"
CURRENCIES = ("USD", "GBP", "JPY")  # USD per EUR, and the currencies crossed through the euro


def fetch(
    session: requests.Session,
    *,
    base_url: str,
    landing_root: Path,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
) -> list[LandedFile]:
    landed = []
    for ccy in CURRENCIES:
        url = (
            f"{base_url.rstrip('/')}/service/data/EXR/M.{ccy}.EUR.SP00.A"
            "?format=csvdata&startPeriod=2017-01"
        )
        landed.append(
            land_file(
                session,
                url,
                source=SOURCE,
                filename=f"exr_m_{ccy.lower()}_eur.csv",
                landing_root=landing_root,
                expect="csv",
                policy=policy,
                sleep=sleep,
            )
        )
    return landed

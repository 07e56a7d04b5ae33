"""Write the GX suites of the staged tables into `expectations/`, made from their contracts.

    python scripts/gen_expectations.py [--check]

The contract (`sql/<schema>/<table>.yml`) is where a rule is declared; GX runs the column rules of
a table whose contract says `validator: great_expectations` as a suite made from it
(`pipelines.lib.quality.suite_spec`). The files here are that suite as GX's JSON, for reviewers and
GX tooling: generated, never edited (a test fails when one is stale).
--check: write nothing, exit 1 if a file is missing, stale or no longer made by a contract.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.lib.contracts import GREAT_EXPECTATIONS, load_contracts  # noqa: E402
from pipelines.lib.quality import suite_spec  # noqa: E402

TARGET = ROOT / "expectations"


def suites() -> dict[str, str]:
    """File name -> the JSON text of the suite a contract makes."""
    return {
        f"{table}.json": json.dumps(suite_spec(contract), indent=2, sort_keys=True) + "\n"
        for table, contract in sorted(load_contracts().items())
        if contract.validator == GREAT_EXPECTATIONS
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file differs")
    args = parser.parse_args(argv)
    wanted = suites()
    present = {p.name for p in TARGET.glob("*.json")}
    stale = sorted(
        name
        for name in wanted.keys() | present
        if name not in present or name not in wanted or (TARGET / name).read_text() != wanted[name]
    )
    if args.check:
        for name in stale:
            print(f"expectations/{name} is stale: run `make docs`", file=sys.stderr)
        return 1 if stale else 0
    TARGET.mkdir(exist_ok=True)
    for name in present - wanted.keys():
        (TARGET / name).unlink()  # its contract no longer names GX
    for name, text in wanted.items():
        (TARGET / name).write_text(text)
    print(f"wrote {len(wanted)} suites to expectations/")
    return 0


if __name__ == "__main__":
    sys.exit(main())

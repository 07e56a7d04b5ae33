"""Write the data dictionary (table and column comments) of the published warehouse.

    python scripts/gen_data_dictionary.py [TARGET] [--warehouse PATH] [--check] [--apply-comments]

TARGET (default docs/data-dictionary.md): a file that contains the markers
`<!-- data-dictionary:start -->` / `<!-- data-dictionary:end -->` gets only the text between them
replaced (e.g. README.md); any other file is written as a standalone page.
--check: write nothing, exit 1 if TARGET is not up to date.
--apply-comments: document a warehouse published before comments were applied at publish time
(reads its table shapes and applies the contracts sql/<schema>/<table>.yml in memory).
"""

import argparse
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.lib import catalog_docs, settings  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", default=str(ROOT / "docs" / "data-dictionary.md"))
    default_wh = settings.warehouse_dir()
    parser.add_argument("--warehouse", default=str(default_wh / "minerals.duckdb"))
    parser.add_argument("--check", action="store_true", help="exit 1 if TARGET differs")
    parser.add_argument("--apply-comments", action="store_true")
    args = parser.parse_args(argv)

    warehouse = Path(args.warehouse)
    if not warehouse.exists():
        print(f"error: no warehouse at {warehouse}; run `minerals refresh` first", file=sys.stderr)
        return 2
    if args.apply_comments:
        con = catalog_docs.commented_shapes(warehouse)
    else:
        con = duckdb.connect(str(warehouse), read_only=True)
    try:
        generated = catalog_docs.data_dictionary(con)
    finally:
        con.close()

    target = Path(args.target)
    existing = target.read_text() if target.exists() else None
    new = catalog_docs.render_document(existing, generated)
    if args.check:
        if new != existing:
            print(f"{target} is out of date: run scripts/gen_data_dictionary.py", file=sys.stderr)
            return 1
        print(f"{target} is up to date")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(new)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

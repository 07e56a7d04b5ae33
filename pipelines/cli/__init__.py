"""`minerals`: refresh the warehouse, query it, and read the headline figures.

Each command family is a module that registers its commands with its own `add_parser(sub)`:
`refresh` (run orchestration), `reports` (show, exposure, status, sql), `scenario`, `controls`,
`monitor`, `projects`, `prices`, `brief`.
They share `console` (the read-only connection, printing, name matching) and nothing else.
"""

import argparse
import sys

from pipelines.cli import brief, controls, monitor, prices, projects, refresh, reports, scenario

COMMANDS = (refresh, reports, scenario, controls, monitor, projects, prices, brief)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minerals",
        description="Critical Minerals Warehouse: refresh it, query it, read its headlines.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `minerals sql ... | head`
        sys.stderr.close()
        return 0

"""Where every benchmark's figures go: printed, and appended as one JSON line to results.jsonl."""

import json
from pathlib import Path

RESULTS = Path(__file__).with_name("results.jsonl")


def record(*entries: dict) -> None:
    with RESULTS.open("a") as f:
        for entry in entries:
            print(json.dumps(entry))
            f.write(json.dumps(entry) + "\n")
    print(f"appended to {RESULTS}")

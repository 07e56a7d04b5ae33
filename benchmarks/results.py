"""Where every benchmark's figures go: printed, and appended as one JSON line to results.jsonl."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).with_name("results.jsonl")
PROJECT_DAGSTER_YAML = Path(__file__).resolve().parents[1] / ".dagster" / "dagster.yaml"


def dagster_home(parent: Path) -> str:
    """A fresh DAGSTER_HOME under `parent` with the project's dagster.yaml: a refresh is timed on
    the same persistent SQLite instance as `minerals refresh` (its run storage and event log
    included), without writing its runs into the project's own history. (Removing DAGSTER_HOME
    from the environment is not enough: the venv's .pth file sets it back to `.dagster`.)"""
    home = parent / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_DAGSTER_YAML, home / "dagster.yaml")
    # create its databases now, as a user's instance has them, so the first timed run does not
    subprocess.run(
        [sys.executable, "-c", "import dagster; dagster.DagsterInstance.get().get_runs(limit=1)"],
        env=dict(os.environ, DAGSTER_HOME=str(home)),
        check=True,
    )
    return str(home)


def record(*entries: dict) -> None:
    with RESULTS.open("a") as f:
        for entry in entries:
            print(json.dumps(entry))
            f.write(json.dumps(entry) + "\n")
    print(f"appended to {RESULTS}")

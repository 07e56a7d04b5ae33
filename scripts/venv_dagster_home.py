"""Make every Python of the project's .venv default DAGSTER_HOME to the project's .dagster.

`make` exports DAGSTER_HOME, but `.venv/bin/dg`, `.venv/bin/dagster` or `minerals` typed by
hand would otherwise use a temporary instance (runs the UI never shows) and write telemetry to
~/.dagster. A `.pth` file in the venv's site-packages runs at interpreter start-up and sets the
default; an explicit DAGSTER_HOME still wins. Run by `make install`.
"""

import sysconfig
from pathlib import Path

home = Path(__file__).resolve().parents[1] / ".dagster"
pth = Path(sysconfig.get_paths()["purelib"]) / "minerals_dagster_home.pth"
pth.write_text(f"import os; os.environ.setdefault('DAGSTER_HOME', {str(home)!r})\n")

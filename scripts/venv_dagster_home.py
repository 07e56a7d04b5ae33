"""Make every Python of the project's .venv default DAGSTER_HOME to the project's .dagster.

`.venv/bin/dg`, `.venv/bin/dagster` (and `make ui`) would otherwise use a temporary instance
(runs the UI never shows) and write telemetry to ~/.dagster; the project's own code finds the
same folder through `pipelines.lib.settings.dagster_home()`. A `.pth` file in the venv's
site-packages runs at interpreter start-up and sets the default; an explicit DAGSTER_HOME still
wins. Run by `make install`.
"""

import sysconfig
from pathlib import Path

from pipelines.lib.settings import PROJECT_DAGSTER_HOME as home

pth = Path(sysconfig.get_paths()["purelib"]) / "minerals_dagster_home.pth"
pth.write_text(f"import os; os.environ.setdefault('DAGSTER_HOME', {str(home)!r})\n")

"""`python -m pipelines.cli ...`, as the `minerals` entry point."""

import sys

from pipelines.cli import main

sys.exit(main())

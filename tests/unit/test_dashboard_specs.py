"""Every chart the dashboard ships is a valid Vega-Lite spec (the refresh builds them without
validating: `charts.spec`), on the session's real refresh of the bundled snapshot."""

import duckdb
import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema import load_schema

from pipelines.lib.dashboard import chart_specs, dashboard_data


@pytest.fixture(scope="module")
def specs(published_snapshot) -> dict[str, dict]:
    with duckdb.connect(str(published_snapshot.published), read_only=True) as con:
        data = dashboard_data(con)
    return {f"{p}.{c}": s for p, charts in chart_specs(data).items() for c, s in charts.items()}


def test_every_chart_is_valid_vega_lite(specs):
    schema = load_schema()
    assert len(specs) >= 20  # every panel's charts, not an empty page
    errors = {name: validate_jsonschema(s, schema, raise_error=False) for name, s in specs.items()}
    assert {n: e.message for n, e in errors.items() if e is not None} == {}


def test_a_broken_chart_is_caught(specs):
    name, spec = next(iter(specs.items()))
    broken = {**spec, "mark": {"type": "not-a-mark"}}
    assert validate_jsonschema(broken, load_schema(), raise_error=False) is not None, name

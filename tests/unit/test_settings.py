"""Settings are read in one place (`pipelines/lib/settings.py`) and documented truthfully."""

import ast
import os
import re
import shutil

import dagster as dg

from pipelines import cli
from pipelines.lib import settings
from pipelines.lib.paths import PROJECT_ROOT

READERS = ("environ", "getenv", "putenv", "unsetenv")


def environment_uses(source: str) -> list[int]:
    """Lines of `source` that touch the process environment (os.environ, os.getenv...)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr in READERS
        or isinstance(node, ast.ImportFrom) and node.module == "os"
        and any(a.name in READERS for a in node.names)
    ]  # fmt: skip


def test_only_the_settings_module_reads_the_environment():
    readers = {
        path.relative_to(PROJECT_ROOT).as_posix(): lines
        for path in (PROJECT_ROOT / "pipelines").rglob("*.py")
        if (lines := environment_uses(path.read_text()))
    }
    assert readers == {"pipelines/lib/settings.py": readers["pipelines/lib/settings.py"]}


def test_a_planted_read_is_found():
    assert environment_uses("import os\nmode = os.environ.get('MINERALS_SOURCE')\n") == [2]
    assert environment_uses("from os import getenv\n") == [1]


def test_the_operations_page_lists_every_setting_with_its_default():
    readme = (PROJECT_ROOT / "docs" / "operations.md").read_text()
    table = readme[readme.index("| variable | default | what |") :].split("\n\n")[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)`(?:, `([A-Z_]+)`)?", table, re.M))
    names = {n for pair in documented for n in pair if n}
    assert names == {s.env for s in settings.all_settings()}
    for s in settings.all_settings():
        row = next(line for line in table.splitlines() if f"`{s.env}`" in line)
        if s.default and "://" not in s.default:
            assert f"`{s.default}`" in row or s.default in row, s.env


def test_refresh_passes_live_and_the_warehouse_to_dagster_as_run_config(tmp_path, monkeypatch):
    """`--live` used to write MINERALS_SOURCE into os.environ before importing the definitions;
    now it is the run's resource config, and the environment is left as it was."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", home)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("MINERALS_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.delenv("MINERALS_SOURCE", raising=False)
    before = dict(os.environ)
    assert cli.main(["refresh", "--live", "--select", "staging.dim_country"]) == 0
    assert dict(os.environ) == before
    (run,) = dg.DagsterInstance.from_config(str(home)).get_runs()
    resources = run.run_config["resources"]
    assert resources["sources"]["config"]["mode"] == "live"
    assert resources["warehouse"]["config"]["directory"] == str(tmp_path / "warehouse")
    assert (tmp_path / "warehouse" / "build" / "minerals.duckdb").exists()


def test_dagster_home_defaults_to_the_project_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert settings.dagster_home() == PROJECT_ROOT / ".dagster"
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    assert settings.dagster_home() == tmp_path


def test_live_refresh_offline_names_the_asset_and_the_configured_url(tmp_path, monkeypatch, capsys):
    """`--live` keeps every other setting of the resources (a partial run config used to drop
    them), and an offline failure names the asset as the user does: raw.x, not raw__x."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", home)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("MINERALS_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("MINERALS_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("MINERALS_USGS_BASE_URL", "http://127.0.0.1:9/catalog")  # nothing there
    assert cli.main(["refresh", "--live", "--select", "raw.usgs_mcs_production"]) == 1
    out = capsys.readouterr().out
    (line,) = [x for x in out.splitlines() if "FAILED" in x]
    assert "FAILED   raw.usgs_mcs_production: usgs_mcs: download of http://127.0.0.1:9/" in line
    (run,) = dg.DagsterInstance.from_config(str(home)).get_runs()
    sources = run.run_config["resources"]["sources"]["config"]
    assert sources["usgs_base_url"] == {"env": "MINERALS_USGS_BASE_URL"}  # by name, not value

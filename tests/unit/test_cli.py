"""The `minerals` command on small warehouses built here: arguments, names, the sealed `sql`,
the refresh lock and what a refresh says about the published file."""

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines import cli
from pipelines.cli import console, refresh
from pipelines.lib.paths import PROJECT_ROOT
from pipelines.lib.refresh_lock import LOCK_NAME, RefreshRunning, refresh_lock
from pipelines.lib.seeds import load_seed
from pipelines.lib.warehouse import Warehouse


def error_of(argv, capsys) -> str:
    """The message `minerals <argv>` exits with (argparse's or the command's own)."""
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    code = exc.value.code
    return code if isinstance(code, str) else capsys.readouterr().err


@pytest.fixture
def small_warehouse(tmp_path, monkeypatch):
    """A published warehouse of one mart and the commodity aliases, and the env pointing the
    CLI at it."""
    wh = Warehouse(tmp_path / "warehouse")
    with wh.connect() as con:
        aliases = load_seed("commodity_aliases")  # noqa: F841 (read by name below)
        con.execute("CREATE TABLE staging.commodity_alias AS SELECT * FROM aliases")
        con.execute(
            """CREATE TABLE marts.supply_concentration AS SELECT * FROM (VALUES
               ('usgs_mcs', 'rare_earths', 'mining', 'production', 2025, 0.69, true, false,
                'CHN', 0.69, 0.9, 5054.0, 2.0, 'highly concentrated', 0.01),
               ('usgs_mcs', 'platinum', 'mining', 'production', 2025, 0.0, false, false,
                'ZAF', 0.7, 0.93, 5243.0, 1.9, 'highly concentrated', 0.05))
               t(source, commodity, stage, basis, year, china_share, china_listed, is_projection,
                 top1_iso3, top1_share, top3_share, hhi, effective_suppliers,
                 concentration_band, unallocated_share)"""
        )
    wh.publish()
    monkeypatch.setenv("MINERALS_WAREHOUSE_DIR", str(wh.directory))
    return wh


def test_years_errors_are_plain_words(capsys):
    assert "'abc' is not a year or a range of years: write 2024, or 2022-2024" in error_of(
        ["refresh", "--years", "abc"], capsys
    )
    assert "the first year comes after the last; write 2023-2024" in error_of(
        ["refresh", "--years", "2024-2023"], capsys
    )
    assert "trade years run from 1995 to 2024" in error_of(["refresh", "--years", "1990"], capsys)
    # a reversed range out of bounds: the suggestion is itself accepted (it said 1990-2030)
    reversed_out = error_of(["refresh", "--years", "2030-1990"], capsys)
    assert "write 1995-2024 (trade years run from 1995 to 2024)" in reversed_out
    suggested = re.search(r"write (\S+)", reversed_out)[1]
    assert cli.build_parser().parse_args(["refresh", "--years", suggested]).years == (1995, 2024)
    assert "after the last; write 2024 (trade" in error_of(
        ["refresh", "--years", "2030-2024"], capsys
    )
    assert "after the last; trade years run from" in error_of(
        ["refresh", "--years", "2040-2030"], capsys
    )
    args = cli.build_parser().parse_args(["refresh", "--years", "2022-2024", "--log-level", "info"])
    assert args.years == (2022, 2024) and args.log_level == "INFO"


def test_commodity_names_ignore_case_spaces_and_hyphens(small_warehouse, capsys):
    for typed in ["Rare_Earths", "rare earths", "RARE-EARTHS"]:
        assert cli.main(["show", typed]) == 0
        assert capsys.readouterr().out.startswith("rare_earths: concentration")
    message = error_of(["show", "rare_eartss"], capsys)
    assert "Did you mean: rare_earths?" in message


def test_show_leaves_china_blank_where_the_series_does_not_list_china(small_warehouse, capsys):
    cli.main(["show", "platinum"])
    header, _, row = capsys.readouterr().out.splitlines()[2:5]
    china = header.index("China %")
    assert row[china : china + 7].strip() == ""  # 0.0 would claim China mines none


def test_suggestions_rank_by_closeness_to_codes_and_names():
    importers = {
        "PAN": ["Panama"],
        "JPN": ["Japan"],
        "JOR": ["Jordan"],
        "KOR": ["South Korea"],
        "PRK": ["North Korea"],
    }
    assert console.resolve("Japan", importers, "importer", "") == "JPN"
    assert console.resolve("jpn", importers, "importer", "") == "JPN"
    with pytest.raises(SystemExit) as exc:
        console.resolve("Japn", importers, "importer", "")
    assert "Did you mean: JPN (Japan), " in exc.value.code
    with pytest.raises(SystemExit) as exc:
        console.resolve("Korea", importers, "importer", "")
    assert {"KOR (South Korea)", "PRK (North Korea)"} <= set(
        exc.value.code.split("Did you mean: ")[1].split("?")[0].split(", ")[:2]
    )


@pytest.mark.parametrize(
    "query",
    [
        "COPY marts.supply_concentration TO '{out}/x.parquet'",
        "COPY (SELECT 1) TO '{out}/x.csv'",
        "EXPORT DATABASE '{out}/dump'",
        "ATTACH '{out}/other.duckdb' AS other",
        "INSTALL httpfs",
        "SELECT * FROM read_csv('{readme}')",
        "SELECT * FROM read_text('{readme}')",
    ],
)
def test_sql_cannot_read_or_write_files(small_warehouse, tmp_path, capsys, query):
    out = tmp_path / "out"
    out.mkdir()
    message = error_of(["sql", query.format(out=out, readme=PROJECT_ROOT / "README.md")], capsys)
    assert message.startswith("error: minerals sql only reads the warehouse")
    assert "--format csv" in message
    assert list(out.iterdir()) == []


def test_sql_cannot_switch_external_access_back_on(small_warehouse, capsys):
    message = error_of(["sql", "SET enable_external_access = true"], capsys)
    assert "configuration has been locked" in message


def test_sql_csv_output_is_the_way_to_save_a_result(small_warehouse, capsys):
    query = "SELECT commodity, hhi FROM marts.supply_concentration ORDER BY hhi"
    assert cli.main(["sql", "--format", "csv", query]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "commodity,hhi",
        "rare_earths,5054.0",
        "platinum,5243.0",
    ]


HOLD_LOCK = """
import sys, time
from pipelines.lib.refresh_lock import refresh_lock
with refresh_lock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes our stdin
"""


def test_one_refresh_at_a_time_names_the_running_one(tmp_path, monkeypatch, capsys):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(RefreshRunning) as exc, refresh_lock(tmp_path):
            pass
        started = time.strftime("%H:%M")
        assert f"by PID {holder.pid} is still running" in str(exc.value)
        assert "a refresh started at " in str(exc.value)
        assert started[:2] in str(exc.value)
        # the CLI says the same, before running anything
        monkeypatch.setenv("MINERALS_WAREHOUSE_DIR", str(tmp_path))
        message = error_of(["refresh", "--select", "staging.dim_country"], capsys)
        assert message.startswith("error: a refresh started at ") and str(holder.pid) in message
    finally:
        holder.stdin.close()
        holder.wait()
    with refresh_lock(tmp_path):  # released when its holder ended
        pass


def test_a_killed_refresh_leaves_no_stale_lock(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert holder.stdout.readline() == "held\n"
    holder.kill()
    holder.wait()
    with refresh_lock(tmp_path):
        pass


def test_a_run_waits_for_the_lock_saying_who_holds_it_and_nested_holds_share_it(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert holder.stdout.readline() == "held\n"
    said = []

    def release(why):  # what a waiting run logs; the holder then ends
        said.append(why)
        holder.stdin.close()

    with refresh_lock(tmp_path, holder="Dagster run 1234abcd", wait_s=120, on_wait=release):
        with refresh_lock(tmp_path):  # the CLI's hold, then its run's executor: one process
            pass
        lock = json.loads((tmp_path / LOCK_NAME).read_text())
        assert lock["pid"] == os.getpid() and lock["holder"] == "Dagster run 1234abcd"
    holder.wait()
    assert len(said) == 1 and f"by PID {holder.pid} is still running" in said[0]
    # held past the wait: refused, saying so
    with (
        refresh_lock_in_another_process(tmp_path),
        pytest.raises(RefreshRunning, match=r"\(waited 0.2 s\)"),
        refresh_lock(tmp_path, wait_s=0.2),
    ):
        pass


@contextlib.contextmanager
def refresh_lock_in_another_process(directory):
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(directory)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    try:
        assert proc.stdout.readline() == "held\n"
        yield
    finally:
        proc.stdin.close()
        proc.wait()


def test_publish_outcome_compares_the_file_before_and_after(tmp_path):
    path = tmp_path / "minerals.duckdb"
    assert refresh.publish_outcome(path, None, None, False) == (
        "Refresh failed: nothing was published; no warehouse is published yet."
    )
    path.write_bytes(b"old")
    before = refresh.file_state(path)
    assert "minerals.duckdb is unchanged" in refresh.publish_outcome(path, before, before, False)
    replacement = tmp_path / "new.tmp"
    replacement.write_bytes(b"old")  # same size, maybe the same mtime: still a new file
    os.replace(replacement, path)
    after = refresh.file_state(path)
    assert after != before
    assert "was replaced by this refresh" in refresh.publish_outcome(path, before, after, True)
    failed = refresh.publish_outcome(path, before, after, False)
    assert failed.startswith("Refresh failed, but") and "was replaced" in failed
    assert "unchanged" not in failed


def test_refresh_log_level_uses_the_dagster_instance_and_reports_the_file(
    tmp_path, monkeypatch, capsys
):
    """`--log-level INFO` used to crash with DagsterInvalidConfigError."""
    import dagster as dg

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", home)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("MINERALS_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    code = cli.main(["refresh", "--select", "staging.dim_country", "--log-level", "INFO"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "built    staging.dim_country" in out.out
    assert "nothing was published; no warehouse is published yet." in out.out
    assert "- dagster - INFO - refresh_job -" in out.err  # Dagster's console logger
    runs = dg.DagsterInstance.get().get_runs()  # the run is in the instance the UI reads
    assert len(runs) == 1 and runs[0].is_success


def test_dagster_instance_queues_one_run_at_a_time_and_sends_no_telemetry(tmp_path):
    import dagster as dg

    shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", tmp_path)
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
    assert not instance.telemetry_enabled


def python_without_dagster_home(code: str, **env) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    ).stdout.strip()


def test_the_venv_defaults_dagster_home_so_dg_and_dagster_send_no_telemetry():
    """`make install` writes a .pth file: `.venv/bin/dg` typed by hand uses .dagster too."""
    code = (
        "import os; from dagster_shared.telemetry import "
        "get_telemetry_enabled_from_dagster_yaml as enabled; "
        "print(os.environ['DAGSTER_HOME'], enabled())"
    )
    assert python_without_dagster_home(code) == f"{PROJECT_ROOT / '.dagster'} False"


def test_schedules_and_sensor_run_by_default_only_on_live_sources():
    code = (
        "from pipelines.defs.serving import schedules as s; "
        "print(*[x.default_status.value for x in [*s.schedules, *s.sensors]])"
    )
    assert python_without_dagster_home(code, MINERALS_SOURCE="live") == "RUNNING RUNNING RUNNING"
    assert python_without_dagster_home(code, MINERALS_SOURCE="snapshot") == (
        "STOPPED STOPPED STOPPED"
    )


def test_make_ui_resets_the_ignored_sigint_of_a_background_job():
    """Started as `make ui &` from a script, dagster dev and its children inherit SIGINT
    ignored and its shutdown hangs; the recipe must give the program SIGINT's default back."""
    recipe = subprocess.run(
        ["make", "-s", "-n", "ui", "UI_PORT=1"],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    ).stdout
    assert ".venv/bin/dagster dev" in recipe
    probe = Path(sys.executable).parent / "python -c 'import signal; print(signal.getsignal(2))'"
    command = recipe.replace(".venv/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 1", "")
    command = command.removeprefix("exec ").rstrip().rstrip("\\").rstrip() + f" {probe}"
    out = subprocess.run(
        ["bash", "-c", f"{command} & wait"],  # a background job: SIGINT ignored on entry
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    ).stdout.strip()
    assert out == "<built-in function default_int_handler>"  # SIGINT not ignored (SIG_IGN)


# --- what a newcomer tried (issue 27) ---------------------------------------------------------


def test_sql_file_errors_are_plain_words(small_warehouse, tmp_path, capsys):
    missing = tmp_path / "missing.sql"
    assert error_of(["sql", "-f", str(missing)], capsys) == (
        f"error: no file {missing} (looked for {missing})"
    )
    message = error_of(["sql", "-f", str(tmp_path)], capsys)
    assert message.startswith(f"error: {tmp_path} is a folder; -f takes one .sql file")
    (tmp_path / "empty.sql").write_text("  \n")
    assert error_of(["sql", "-f", str(tmp_path / "empty.sql")], capsys) == (
        "error: give a query, or -f FILE"
    )


def test_sql_prints_every_statement_or_refuses_clearly(small_warehouse, capsys):
    query = (
        "SELECT count(*) AS n FROM marts.supply_concentration; "
        "SELECT max(hhi) AS top FROM marts.supply_concentration"
    )
    assert cli.main(["sql", query]) == 0
    out = capsys.readouterr().out
    assert "-- statement 1 of 2\nn\n-\n2\n(1 row)" in out
    assert "-- statement 2 of 2\ntop\n------\n5243.0\n(1 row)" in out
    message = error_of(["sql", "--format", "csv", query], capsys)
    assert message == "error: 2 statements: --format csv writes one result; run them one at a time"
    assert cli.main(["sql", "--format", "csv", "SELECT 1 AS one;"]) == 0  # one, with its ;
    assert capsys.readouterr().out.splitlines() == ["one", "1"]


def test_scenario_months_must_be_positive(capsys):
    assert "the stockpile covers more than 0 months" in error_of(
        ["scenario", "CHN", "--commodity", "graphite", "--importer", "USA", "--months", "-3"],
        capsys,
    )
    assert "'six' is not a number of months" in error_of(
        ["scenario", "CHN", "--commodity", "graphite", "--importer", "USA", "--months", "six"],
        capsys,
    )


def test_scenario_words_never_print_n_a():
    """A figure the data cannot give is said in words ("n/a t (n/a months)", "(no series )"
    used to be printed), a net exporter is shown the flow that stops (not 0, no negative
    share), and every figure says its scope."""
    from pipelines.cli.scenario import format_scenario

    empty = dict.fromkeys(
        [
            "lost_imports_t", "lost_share_of_import_quantity", "annual_at_risk_t",
            "share_of_consumption", "production_source", "production_year",
            "rest_of_world_production_t", "production_replacement_ratio",
            "rest_of_world_exports_t", "exports_replacement_ratio",
            "others_exports_per_supplier_exports", "supplier_rank", "supplier_export_rank",
            "stockpile_t", "stockpile_value_usd", "government_stocks_t",
            "government_stocks_months", "industry_stocks_t", "industry_stocks_months",
            "net_imports_t", "is_net_exporter", "basis", "unit_basis", "at_risk_source",
            "us_product", "usgs_import_sources_product", "usgs_supplier_share",
            "months_covered_by_6m_stockpile", "policy_target", "policy_target_months_covered",
            "product_label", "includes_basket", "note",
        ]
    )  # fmt: skip
    unknown = {
        **empty, "stage": "manufacturing", "year": 2024, "lost_value_usd": 1.5e8,
        "lost_share_of_import_value": 0.276, "supplier_export_rank": 1,
        "product_label": "HS 850511: permanent magnets of metal",
    }  # fmt: skip
    exporter = {
        **unknown, "stage": "refining", "basis": "imports", "unit_basis": "gross_weight",
        "net_imports_t": -467.2, "is_net_exporter": True, "lost_imports_t": 3715.0,
        "annual_at_risk_t": 3715.0, "share_of_consumption": 0.359, "stockpile_t": 1857.5,
        "supplier_rank": 1, "note": "JPN is a net exporter of these products in 2024",
    }  # fmt: skip
    text = format_scenario([unknown, exporter], "CHN", "JPN", "rare_earths", 6)
    assert "n/a" not in text and "no series" not in text and "-0.0" not in text, text
    assert "at risk:   not measured (CHN is not among JPN's five largest suppliers" in text
    assert "replace by production: no production series on the same scope" in text
    assert "stocks on hand: none reported for JPN" in text
    assert "at risk:   3,715 t a year = 35.9% of import tonnes (imports, t gross weight, BACI)" in (
        text
    )
    assert "note:      JPN is a net exporter" in text
    assert "stockpile for 6 months: 1,858 t gross weight (imports basis)" in text


def test_an_exact_code_prefix_ranks_first():
    """`exposure US` used to list USA last of five ties."""
    importers = {"AUS": ["Australia"], "MUS": ["Mauritius"], "RUS": ["Russia"], "USA": []}
    with pytest.raises(SystemExit) as exc:
        console.resolve("US", importers, "importer", "")
    assert exc.value.code.split("Did you mean: ")[1].startswith("USA, ")


def test_names_match_codes_aliases_and_country_names(small_warehouse, capsys):
    for typed in ["REE", "rare earth", "Rare-Earths"]:
        assert cli.main(["show", typed]) == 0
        assert capsys.readouterr().out.startswith("rare_earths: concentration")
    message = error_of(["show", "REEE"], capsys)
    assert "Did you mean: rare_earths" in message and "raw_steel" not in message


def test_a_refresh_already_running_is_refused_before_dagster_is_imported(tmp_path):
    """The lock is checked first: the refusal used to wait for Dagster and the definitions
    to load (7.6 s)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    probe = (
        "import sys\nfrom pipelines.cli import main\ntry:\n    main(['refresh'])\n"
        "except SystemExit as exc:\n    print(exc.code)\n"
        "print('dagster imported:', 'dagster' in sys.modules)\n"
    )
    try:
        assert holder.stdout.readline() == "held\n"
        out = subprocess.run(
            [sys.executable, "-c", probe],
            env={**os.environ, "MINERALS_WAREHOUSE_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            check=True,
            cwd=PROJECT_ROOT,
        ).stdout
    finally:
        holder.stdin.close()
        holder.wait()
    assert "is still running" in out and "dagster imported: False" in out

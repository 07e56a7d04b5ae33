"""The README's commands, run as typed, and the CLI against the snapshot warehouse built once
per session (tests/e2e/conftest.py)."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.lib.paths import PROJECT_ROOT, SQL_DIR

pytestmark = pytest.mark.e2e
README = (PROJECT_ROOT / "README.md").read_text()
VENV_BIN = Path(sys.executable).parent


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.index("\n## ", start + 1)
    return README[start:end]


def first_bash_block(text: str) -> str:
    return re.search(r"```bash\n(.*?)```", text, re.S)[1]


def commands(block: str) -> list[str]:
    """The command lines of a block, without their comments (no command here contains #)."""
    return [c for c in (line.split("#")[0].strip() for line in block.splitlines()) if c]


@pytest.fixture
def analyst_dir(published, tmp_path):
    """A working copy a newcomer could have: the repo's .venv and sql/, and a copy of the
    snapshot warehouse (the block refreshes it), so nothing is written into the repository."""
    _, _, tmp = published
    shutil.copytree(tmp / "warehouse", tmp_path / "warehouse", ignore=shutil.ignore_patterns(".*"))
    (tmp_path / ".venv").symlink_to(VENV_BIN.parent)
    (tmp_path / "sql").symlink_to(SQL_DIR)
    (tmp_path / "dagster_home").mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", tmp_path / "dagster_home")
    return tmp_path


def blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced block."""
    return re.findall(r"^```(\w*)\n(.*?)^```", text, re.M | re.S)


def readme_env(analyst_dir: Path) -> dict:
    return dict(
        os.environ,
        MINERALS_WAREHOUSE_DIR=str(analyst_dir / "warehouse"),
        DAGSTER_HOME=str(analyst_dir / "dagster_home"),
    )


def test_every_block_of_the_readme_is_run_or_compared():
    """What the tests below run: the bash and python blocks, the `$ command` samples and the
    `make run` sample. Any other block holds no command (the layout tree)."""
    kinds = {lang for lang, _ in blocks(README)}
    assert "bash" in kinds and kinds <= {"bash", "python", "", "mermaid"}
    for lang, body in blocks(README):
        if lang == "" and not body.startswith(("$ ", "Refreshing from the bundled snapshot")):
            assert not re.search(r"^\$|^(make|minerals|duckdb|\.venv)\b", body, re.M), body


def test_every_command_of_the_readme_works_as_typed(analyst_dir):
    """Every line of every bash block after the quick start (`make run`, `make test`: what CI
    runs), in one shell as typed, from the working copy's root."""
    quick = first_bash_block(section("Quick start"))
    lines = [c for lang, b in blocks(README) if lang == "bash" and b != quick for c in commands(b)]
    assert "minerals refresh" in " ".join(lines) and lines[0] == "source .venv/bin/activate"
    # one shell, as typed; each command's output is checked to be its own, not just exit 0
    script = "set -e\n" + "".join(f"echo {shlex.quote('>>> ' + c)}\n{c}\n" for c in lines)
    ran = subprocess.run(
        ["bash", "-c", script],
        cwd=analyst_dir,
        env=readme_env(analyst_dir),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    by_start = dict(part.split("\n", 1) for part in ran.stdout.split(">>> ")[1:])
    assert set(by_start) == set(lines)
    show = by_start["minerals show rare_earths"]
    assert show.startswith("rare_earths: concentration") and "refining  iea" in show
    assert by_start['minerals show "Rare Earths"'] == show
    assert "JPN: import dependence" in by_start["minerals exposure Japan"]
    assert "graphite   mining" in by_start["minerals exposure JPN --commodity graphite"]
    saved = (analyst_dir / "jpn_imports.csv").read_text().splitlines()
    assert saved[0].startswith("importer_iso3,commodity,stage,year")
    assert len(saved) > 100 and all(line.startswith("JPN,") for line in saved[1:])
    assert "Checks in the refresh" in by_start["minerals status"]
    refresh = next(out for c, out in by_start.items() if c.startswith("minerals refresh"))
    assert "built    staging.dim_country" in refresh
    assert "nothing was published; warehouse/minerals.duckdb is unchanged." in refresh
    shell = next(out for c, out in by_start.items() if c.startswith("duckdb -readonly"))
    assert re.search(r"│\s+\d+\s+│", shell)  # the count, from the shell of .venv
    assert "supply_concentration" in by_start['.venv/bin/minerals sql "show all tables"']
    iea = next(out for c, out in by_start.items() if "source = 'iea'" in c)
    assert re.search(r"^rare_earths\s+2024\s+8353\.0$", iea, re.M)


def test_python_blocks_of_the_readme_run(analyst_dir):
    for lang, body in blocks(README):
        if lang == "python":
            ran = subprocess.run(
                [sys.executable, "-c", body], cwd=analyst_dir, capture_output=True, text=True
            )
            assert ran.returncode == 0, ran.stderr
            assert "rare_earths" in ran.stdout


def test_samples_of_the_readme_are_what_the_commands_print(analyst_dir):
    """A block starting `$ command` shows the command's whole output (an error's too)."""
    samples = [b for lang, b in blocks(README) if lang == "" and b.startswith("$ ")]
    assert len(samples) >= 2
    for sample in samples:
        command, expected = sample.split("\n", 1)
        ran = subprocess.run(
            ["bash", "-c", f"source .venv/bin/activate && {command[2:]} 2>&1"],
            cwd=analyst_dir,
            env=readme_env(analyst_dir),
            capture_output=True,
            text=True,
        )
        assert ran.stdout.rstrip("\n").splitlines() == expected.rstrip("\n").splitlines()


def elided(sample: list[str], actual: list[str]) -> bool:
    """`actual` is `sample` with each `...` line of the sample standing for one or more lines."""
    pattern = "".join(
        "(?:[^\n]*\n)+" if line.strip() == "..." else re.escape(line) + "\n" for line in sample
    )
    return re.fullmatch(pattern, "".join(f"{line}\n" for line in actual)) is not None


def test_elided_matches_only_in_order():
    assert elided(["a", "  ...", "d"], ["a", "b", "c", "d"])
    assert not elided(["a", "...", "d"], ["a", "d"])
    assert not elided(["a", "...", "d"], ["a", "b", "d", "e"])
    assert not elided(["d", "...", "a"], ["a", "b", "d"])


def test_make_run_sample_is_what_the_snapshot_refresh_prints(published, capsys, monkeypatch):
    """The quick start's `make run` sample against the session's snapshot build: row counts of the
    built tables, the checks that did not pass, what the publish did, then the headline and
    how to query, as `minerals refresh` prints them (timings and the refresh time aside)."""
    from pipelines.cli import refresh

    con, checks, _ = published
    monkeypatch.chdir(PROJECT_ROOT)  # paths are printed as typed from the repository root
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # so the commands show as .venv/bin/...
    path = PROJECT_ROOT / "warehouse" / "minerals.duckdb"
    sample = next(b for lang, b in blocks(README) if b.startswith("Refreshing from the bundled"))
    lines = sample.rstrip("\n").splitlines()
    published_at = lines.index(refresh.publish_outcome(path, None, (1, 2, 3), True))
    built = [re.fullmatch(r" +\d+\.\ds  built    (\S+) *([\d,]+)?(?: rows)?", x) for x in lines]
    for match in filter(None, built):
        table, rows = match[1], match[2]
        if rows:
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == int(
                rows.replace(",", "")
            ), table
    assert sum(1 for m in built if m) >= 3
    failed = [refresh.check_line(e) for e in checks.values() if not e.passed]
    warned = [x for x in lines[:published_at] if x.startswith("  WARN: ")]
    assert warned
    for line in warned:
        head = line.removesuffix("; ...")
        assert any(f == line or f.startswith(head + ";") for f in failed), line

    refresh.print_headline(con, path)
    printed = capsys.readouterr().out.splitlines()
    when = r"\(refreshed \d{4}-\d\d-\d\d \d\d:\d\d UTC\)"
    tail = [re.sub(when, "(refreshed ...)", x) for x in lines[published_at + 1 :]]
    assert elided(tail, [re.sub(when, "(refreshed ...)", x.rstrip()) for x in printed])


def test_quick_start_commands_are_what_ci_runs():
    ci = (PROJECT_ROOT / ".ci" / "run").read_text().splitlines()
    quick = commands(first_bash_block(section("Quick start")))
    assert quick == ["make run", "make test"]
    assert all(c in ci for c in quick)


def test_readme_points_at_no_file_outside_the_repository():
    assert not re.findall(r"\.\./|/work/|/home/|/tmp/", README)


def test_duckdb_shell_of_the_venv_reads_the_snapshot_warehouse(published):
    con, _, tmp = published
    query = "SELECT commodity, round(hhi) FROM marts.supply_concentration " + (
        "WHERE source = 'iea' AND stage = 'refining' AND year = 2024 ORDER BY 1"
    )
    out = subprocess.run(
        [
            str(VENV_BIN / "duckdb"),
            "-readonly",
            "-csv",
            "-noheader",
            str(tmp / "warehouse" / "minerals.duckdb"),
            "-c",
            query,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    expected = [f"{c},{h}" for c, h in con.execute(query).fetchall()]
    assert out == expected and len(out) >= 5


def test_status_lists_every_source_and_prints_whole_warn_lines(published, tmp_path):
    from pipelines.lib.sources.landing import land_local

    con, _, tmp = published
    workbook = tmp_path / "CM_Data_Explorer.xlsx"  # one landed version, 1,234,567 bytes
    workbook.write_bytes(b"PK\x03\x04" + b"\0" * 1_234_563)
    land_local(workbook, source="iea", landing_root=tmp_path / "landing", origin="test")
    env = dict(
        os.environ,
        MINERALS_WAREHOUSE_DIR=str(tmp / "warehouse"),
        MINERALS_LANDING_DIR=str(tmp_path / "landing"),
    )
    out = subprocess.run(
        [str(VENV_BIN / "minerals"), "status"], env=env, capture_output=True, text=True, check=True
    ).stdout
    # disk used per source (landed versions) and by the warehouse's files
    assert "\n  iea          1 landed file(s), 1.2 MB\n" in out
    assert re.search(
        r"\n  warehouse published [\d.,]+ MB, build [\d.,]+ MB, lake [\d.,]+ MB\n", out
    )
    sources = re.findall(r"^  (\w+) +\d+ file\(s\)", out, re.M)
    assert sources == [
        "baci", "comexstat", "comtrade", "ecb", "eurostat", "hmrc", "iea", "uscensus",
        "usgs_mcs", "usgs_myb", "wgi",
    ]  # fmt: skip
    # the bulk file to 2022, then political stability 2023-2024 from the newer file
    assert "wgi          2 file(s), editions WGI data to 2022, WGI data to 2024" in out
    for asset, check, description in con.execute(
        "SELECT asset, check_name, description FROM meta.check_results WHERE NOT passed"
    ).fetchall():
        assert f"{asset} {check}: {description}\n" in out  # never cut


def test_example_02_compares_china_only_where_both_series_list_it(published):
    con, _, _ = published
    cursor = con.execute((SQL_DIR / "examples" / "02_mining_vs_refining_latest.sql").read_text())
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    listed = {
        (c, s, src, y): flag
        for c, s, src, y, flag in con.execute(
            "SELECT commodity, stage, source, year, china_listed FROM marts.supply_concentration "
            "WHERE basis = 'production'"
        ).fetchall()
    }
    seen_unlisted = False
    for row in rows:
        mining = listed[(row["commodity"], "mining", row["mining_source"], row["mining_year"])]
        refining = listed[
            (row["commodity"], "refining", row["refining_source"], row["refining_year"])
        ]
        assert (row["mining_china_pct"] is None) == (not mining)
        assert (row["refining_minus_mining_pts"] is None) == (not (mining and refining))
        seen_unlisted |= not mining
    assert seen_unlisted  # IEA's cobalt and nickel mining series do not list China

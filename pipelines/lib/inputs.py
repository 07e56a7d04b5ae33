"""Is an input complete and intact? Checked before anything is parsed.

- `verify_snapshot`: the bundled files of a source folder are exactly those listed in
  `data/snapshot/MANIFEST.json` (path, size, sha256), so a missing, extra or changed file is an
  error naming it. The manifest is written by `scripts/gen_snapshot_manifest.py` after a reviewed
  change to the snapshot, and a test keeps it in step.
- `verify_landed`: a live file still has the size and sha256 its landing recorded (the landing
  index, `sources.landing`).
- `csv_records`: a CSV cut short (no final newline, an unclosed quote, a short last row) is an
  error naming the file and row, never a shorter table.
"""

import csv
import io
import json
from pathlib import Path

import polars as pl

from pipelines.lib.errors import SourceDataError, reading
from pipelines.lib.sources.landing import LandedFile, sha256_file

MANIFEST = "MANIFEST.json"
EXPECTED_SERIES = "expected_series.csv"
# Documentation beside the data: not read by any asset, so not pinned
UNPINNED = ("PROVENANCE.md",)
# Folders of data/snapshot/ and the source each belongs to
FOLDERS = {
    "usgs_mcs": "usgs_mcs",
    "usgs_myb": "usgs_myb",
    "iea": "iea",
    "baci/hs92": "baci",
    "baci/hs17": "baci",
    "comtrade": "comtrade",
    "wgi": "wgi",
    "partner_monthly": "partner_monthly",
    "reference/country_codes_datahub": "reference",
    "reference/baci_country_codes": "reference",
}


def folder_files(folder: Path) -> dict[str, Path]:
    """Every file under `folder` that the manifest pins, by path relative to the folder."""
    return {
        p.relative_to(folder).as_posix(): p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in UNPINNED
    }


def build_manifest(snapshot_dir: Path) -> dict:
    """{folder: {relative path: {bytes, sha256}}} of the snapshot as it is now."""
    return {
        folder: {
            rel: {"bytes": p.stat().st_size, "sha256": sha256_file(p)}
            for rel, p in folder_files(snapshot_dir / folder).items()
        }
        for folder in FOLDERS
    }


def write_manifest(snapshot_dir: Path) -> Path:
    path = snapshot_dir / MANIFEST
    path.write_text(json.dumps(build_manifest(snapshot_dir), indent=1, sort_keys=True) + "\n")
    return path


def verify_snapshot(snapshot_dir: Path, *folders: str) -> None:
    """Raise SourceDataError unless each folder holds exactly the files MANIFEST.json lists."""
    snapshot_dir = Path(snapshot_dir)
    try:
        manifest = json.loads((snapshot_dir / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise SourceDataError(
            "snapshot", MANIFEST, f"cannot read the input manifest ({exc})"
        ) from None
    for folder in folders:
        source = FOLDERS[folder]
        expected = manifest.get(folder)
        if expected is None:
            raise SourceDataError(source, MANIFEST, f"no entry for folder {folder!r}")
        found = folder_files(snapshot_dir / folder)
        missing = sorted(set(expected) - set(found))
        if missing:
            raise SourceDataError(
                source,
                f"{folder}/{missing[0]}",
                f"missing: {MANIFEST} lists {len(missing)} file(s) not on disk",
                values=missing,
            )
        extra = sorted(set(found) - set(expected))
        if extra:
            raise SourceDataError(
                source,
                f"{folder}/{extra[0]}",
                f"not in {MANIFEST}: {len(extra)} unexpected file(s) (regenerate the manifest "
                "with scripts/gen_snapshot_manifest.py once the file is reviewed)",
                values=extra,
            )
        for rel, want in expected.items():
            path = found[rel]
            size = path.stat().st_size
            digest = sha256_file(path) if size == want["bytes"] else None
            if digest != want["sha256"]:
                digest = digest or sha256_file(path)
                raise SourceDataError(
                    source,
                    f"{folder}/{rel}",
                    f"changed since {MANIFEST}: {size:,} bytes, sha256 "
                    f"{digest[:12]}; expected {want['bytes']:,} bytes, sha256 "
                    f"{want['sha256'][:12]}",
                )


def verify_landed(source: str, landed: LandedFile) -> None:
    """Raise SourceDataError unless a landed file still has the size and sha256 its landing
    recorded (`landed` comes from `landing.land_file`, or from the landing index on a reuse).

    A version landed just now was hashed as it was written: only a reused one is read again."""
    if not landed.reused:
        return
    path = Path(landed.path)
    size = path.stat().st_size if path.exists() else None
    if size != landed.size_bytes or sha256_file(path) != landed.sha256:
        found = "missing" if size is None else f"{size:,} bytes"
        raise SourceDataError(
            source,
            path.name,
            f"changed since it was landed: {found}, the landing index records "
            f"{landed.size_bytes:,} bytes with sha256 {landed.sha256[:12]}",
        )


def csv_records(source: str, file: str, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (row number, fields) of a CSV text, header = row 1, blank rows left out.

    Raises SourceDataError for an empty file, or one cut short: the last line without its
    newline, a quote never closed, or a last row with fewer fields than the header.
    """
    if not text.strip():
        raise SourceDataError(source, file, "file is empty")
    reader = csv.reader(io.StringIO(text), strict=True)
    records: list[tuple[int, list[str]]] = []
    line = 0  # records read, blank ones included: row numbers as a spreadsheet shows them
    try:
        for line, row in enumerate(reader, start=1):
            if any(c.strip() for c in row):
                records.append((line, row))
    except csv.Error as exc:
        raise SourceDataError(
            source,
            file,
            f"truncated or malformed: a quote opened in row {line + 1} is never closed ({exc})",
            rows=[line + 1],
        ) from None
    (_, header), body = records[0], records[1:]
    if not text.endswith(("\n", "\r")):
        raise SourceDataError(
            source,
            file,
            "truncated: the last line has no newline (the file was cut short?)",
            rows=[records[-1][0]],
            values=[",".join(records[-1][1])[-60:]],
        )
    if body and len(body[-1][1]) < len(header):
        line, last = body[-1]
        raise SourceDataError(
            source,
            file,
            f"truncated: the last row has {len(last)} of the header's {len(header)} fields",
            rows=[line],
            field=header[len(last)].strip(),
        )
    return header, body


def check_not_utf16(source: str, file: str, path: Path, expected: str = "UTF-8") -> None:
    """A CSV saved as UTF-16 ("Unicode text" in Excel) is an error saying so. Decoded as an
    8-bit encoding it reads as text with a NUL between every two characters, and fails much
    later as a truncated row ending in '\\x00'."""
    with reading(source, file), open(path, "rb") as fh:
        head = fh.read(4096)
    bom = {b"\xff\xfe": "UTF-16 little-endian", b"\xfe\xff": "UTF-16 big-endian"}.get(head[:2])
    if bom or head.count(b"\x00") > len(head) // 4:
        how = f"{bom} byte-order mark" if bom else "a NUL byte between characters"
        raise SourceDataError(
            source,
            file,
            f"the file is UTF-16 text ({how}), not {expected}: save it again as a UTF-8 CSV "
            "(Excel: 'CSV UTF-8')",
        )


def check_csv(source: str, file: str, path: Path, encoding: str = "utf-8-sig") -> None:
    """`csv_records` on a file read by another parser (Polars), for its checks only."""
    check_not_utf16(source, file, path)
    with reading(source, file):
        text = Path(path).read_bytes().decode(encoding, errors="replace")
    csv_records(source, file, text)


SERIES_KEY = ["source", "edition", "commodity", "stage", "year"]


def load_expected_series(snapshot_dir: Path) -> pl.DataFrame:
    """The committed expected_series.csv of the snapshot (scripts/gen_snapshot_manifest.py
    writes it from the bundled files)."""
    path = Path(snapshot_dir) / EXPECTED_SERIES
    with reading("snapshot", EXPECTED_SERIES):
        return pl.read_csv(path, schema_overrides={"year": pl.Int32})

"""Sources without a keyless download: the user puts the file in an inbox, live mode lands it.

The IEA Critical Minerals Dataset needs a (free) IEA login, so no program can fetch it. The user
downloads the workbook and drops it into `<inbox>/iea/`; live mode lands the newest matching file
there (by modification time) with its checksum in the landing index, and fails with the page
to download it from when the inbox is empty or its newest file is not a workbook (an HTML login
or error page saved under the workbook's name is never landed).
"""

from pathlib import Path

from pipelines.lib.errors import SourceDataError
from pipelines.lib.sources.catalog import SOURCES
from pipelines.lib.sources.landing import LandedFile, land_local


def newest_inbox_file(inbox_root: Path, key: str) -> Path | None:
    source = SOURCES[key]
    folder = Path(inbox_root) / source.extra["inbox"]
    found = [
        p
        for pattern in source.extra["patterns"]
        for p in folder.glob(pattern)
        if p.is_file() and not p.name.startswith((".", "~$"))  # Excel lock files are "~$..."
    ]
    return max(found, key=lambda p: (p.stat().st_mtime, p.name), default=None)


def land_from_inbox(inbox_root: Path, key: str, *, landing_root: Path) -> LandedFile:
    """Land the newest file of `key`'s inbox; an empty inbox is an error saying what to do."""
    source = SOURCES[key]
    folder = Path(inbox_root) / source.extra["inbox"]
    newest = newest_inbox_file(inbox_root, key)
    if newest is None:
        raise SourceDataError(
            key,
            str(folder),
            f"live mode needs the {source.name} workbook, which has no keyless download: log in "
            f"(free account) at {source.extra['page']}, download the dataset "
            f"({' or '.join(source.extra['patterns'])}) and put it in {folder}/",
        )
    try:
        return land_local(
            newest,
            source=key,
            landing_root=landing_root,
            origin=f"inbox:{newest}",
            expect=source.extra.get("expect"),
        )
    except SourceDataError as exc:
        raise SourceDataError(
            key,
            str(newest),
            f"{exc.problem}. Download the {source.name} workbook again from "
            f"{source.extra['page']} and replace {newest.name} with it",
        ) from exc

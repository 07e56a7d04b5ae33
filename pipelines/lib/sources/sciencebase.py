"""USGS ScienceBase: resolve a data release's file links from its item JSON, then land them.

`GET {base}/item/{id}?format=json&fields=files` answers `{"id": ..., "files": [{"name",
"url", "downloadUri", "size", "contentType", "checksum": {"value", "type"}}, ...]}` (the shape
public download scripts read; `downloadUri` is the direct link, `url` the catalog's file/get
link). Files are matched by their exact published name, so a renamed or withdrawn file is an
error that lists what the item holds instead of a guessed URL answering 404.
"""

import time
from pathlib import Path

import requests

from pipelines.lib.errors import SourceDataError
from pipelines.lib.sources.http import DEFAULT_POLICY, RetryPolicy, Sleep, get_json
from pipelines.lib.sources.landing import LandedFile, land_file

SOURCE = "usgs_mcs"
BASE_URL = "https://www.sciencebase.gov/catalog"


def item_url(base_url: str, item_id: str) -> str:
    return f"{base_url.rstrip('/')}/item/{item_id}"


def file_link(
    session: requests.Session,
    item_id: str,
    filename: str,
    *,
    base_url: str = BASE_URL,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
) -> str:
    """The download link of `filename` in ScienceBase item `item_id`."""
    url = item_url(base_url, item_id)
    params = {"format": "json", "fields": "files"}
    body = get_json(session, url, source=SOURCE, params=params, policy=policy, sleep=sleep)
    files = body.get("files") if isinstance(body, dict) else None
    if not isinstance(files, list):
        raise SourceDataError(
            SOURCE, f"ScienceBase item {item_id}", f"no 'files' list in {str(body)[:200]!r}"
        )
    names = [f.get("name") for f in files if isinstance(f, dict)]
    for f in files:
        if isinstance(f, dict) and f.get("name") == filename:
            link = f.get("downloadUri") or f.get("url")
            if link:
                return str(link)
            raise SourceDataError(
                SOURCE, f"ScienceBase item {item_id}", f"{filename} has no download link"
            )
    raise SourceDataError(
        SOURCE,
        f"ScienceBase item {item_id}",
        f"no file named {filename} (the item lists: {', '.join(map(str, names)) or 'nothing'})",
    )


def land_item_file(
    session: requests.Session,
    item_id: str,
    filename: str,
    *,
    landing_root: Path,
    base_url: str = BASE_URL,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Sleep = time.sleep,
) -> LandedFile:
    """Resolve `filename` in the item and land it (a CSV: an HTML answer is an error)."""
    link = file_link(session, item_id, filename, base_url=base_url, policy=policy, sleep=sleep)
    return land_file(
        session,
        link,
        source=SOURCE,
        filename=filename,
        landing_root=landing_root,
        expect="csv",
        policy=policy,
        sleep=sleep,
    )

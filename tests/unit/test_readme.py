"""The README stays a page a newcomer reads (under 400 lines; the rest in docs/), and the pages
point at files and headings that exist. Its commands run in tests/e2e/test_cli_readme.py."""

import re
import shlex

import pytest

from pipelines.cli import build_parser
from pipelines.lib.paths import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
PAGES = [README, *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+)$", re.M)
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    return {slug(h) for h in HEADING.findall(FENCE.sub("", text))}


def broken_links(page, text: str) -> list[str]:
    """Relative links of a page whose file, or heading within it, does not exist."""
    broken = []
    for target in LINK.findall(FENCE.sub("", text)):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve()
        missing = path and not file.is_file()
        if missing or anchor and anchor not in anchors(file.read_text() if path else text):
            broken.append(target)
    return broken


def test_readme_is_under_400_lines():
    assert len(README.read_text().splitlines()) < 400


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page):
    assert broken_links(page, page.read_text()) == []


def test_a_broken_link_or_anchor_is_found(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other\n\n## The `minerals` command\n")
    text = (
        "[ok](other.md) [ok](other.md#the-minerals-command) [ok](#here) [web](https://x.org/a)\n"
        "# Here\n[gone](missing.md) [gone](other.md#nowhere)\n```\n[in code](nothing.md)\n```\n"
    )
    assert broken_links(page, text) == ["missing.md", "other.md#nowhere"]


def inline_commands(text: str, program: str) -> list[str]:
    """`make x` / `minerals x ...` written in the README's text and tables (code blocks are
    run by the e2e tests)."""
    return re.findall(rf"`((?:\w+=\S+ )*{program} [^`]+)`", FENCE.sub("", text))


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([a-z][\w-]*):", (PROJECT_ROOT / "Makefile").read_text(), re.M))


def test_every_make_target_the_readme_names_exists():
    named = {c.split("make ")[1].split()[0] for c in inline_commands(README.read_text(), "make")}
    assert named and named <= makefile_targets(), named - makefile_targets()


def unparsable(commands: list[str]) -> list[str]:
    """`minerals ...` spans the CLI's parser refuses. A span with placeholders (`show
    COMMODITY`, `controls [MEASURE]`) is checked for its command only."""
    parser, bad = build_parser(), []
    commands_known = set(parser._subparsers._group_actions[0].choices)
    for span in commands:
        words = shlex.split(span)[1:]
        if any(re.fullmatch(r"\[?[A-Z_|]+\]?|\.\.\.|.*[|\\].*", w) for w in words):
            ok = words[0] in commands_known
        else:
            try:
                parser.parse_args(words)
                ok = True
            except SystemExit:
                ok = False
        if not ok:
            bad.append(span)
    return bad


def test_every_minerals_command_the_readme_names_parses(capsys):
    spans = inline_commands(README.read_text(), "minerals")
    assert len(spans) > 10
    assert unparsable(spans) == []
    # what the check refuses: an unknown command, an unknown option, a placeholder on a typo
    wrong = ["minerals shwo rare_earths", "minerals refresh --yaers 2024", "minerals shwo X"]
    assert unparsable(wrong) == wrong

"""Every relative link the repo ships points into the repo.

Markdown links and paths written as text in the README files and docs/, and paths in the
comments of the shipped scenario and example files, must name a file that exists inside the
repository (and, for a markdown anchor, a heading of that file).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, write

DOCS = [ROOT / "README.md", ROOT / "results" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMENTED = sorted([*(ROOT / "scenarios").glob("*.toml"), *(ROOT / "examples").glob("*.toml")])
MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
#: A path written as text: ``../docs/design.md``, ``./x.csv``, ``docs/references.md``.
PATH_TEXT = re.compile(r"(?<![\w/.-])(\.{1,2}/[\w./-]*\w|[\w-]+(?:/[\w.-]+)*\.md)\b")


def _anchors(markdown: Path) -> set[str]:
    """The anchors GitHub gives a file's headings (``## 5. Measures`` -> ``5-measures``)."""
    heads = re.findall(r"^#+ (.+)$", markdown.read_text(encoding="utf-8"), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in heads}


def _broken(source: Path, target: str, *, from_root: bool = False) -> str | None:
    """Why ``target`` (written in ``source``) does not point to a file in the repo, or None."""
    path, _, anchor = target.partition("#")
    here = source.parent / path
    if from_root and not here.exists() and not path.startswith("."):
        here = ROOT / path  # a path in a command, run from the repo's top folder
    where = here.resolve()
    if not where.is_relative_to(ROOT.resolve()):
        return "points outside the repo"
    if not where.exists():
        return "no such file"
    if anchor and where.suffix == ".md" and anchor not in _anchors(where):
        return f"no heading #{anchor}"
    return None


def _links(file: Path) -> list[tuple[str, bool]]:
    """Relative links in a markdown file, and paths written as text there or in a TOML file's
    comments (with whether a command run from the top folder may hold them)."""
    text = file.read_text(encoding="utf-8")
    if file.suffix == ".toml":
        text = "\n".join(line.split("#", 1)[1] for line in text.splitlines() if "#" in line)
    links = [(t, False) for t in MD_LINK.findall(text) if not re.match(r"[a-z]+:|#", t)]
    prose = MD_LINK.sub("", text)
    prose = re.sub(r"https?://\S+", "", prose)
    return links + [(t, True) for t in PATH_TEXT.findall(prose)]


@pytest.mark.parametrize("file", DOCS + COMMENTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_point_into_the_repo(file: Path) -> None:
    broken = [f"{target}: {why}" for target, from_root in _links(file)
              if (why := _broken(file, target, from_root=from_root))]
    assert not broken, f"{file.relative_to(ROOT)}: {broken}"


def test_the_link_check_sees_links_outside_the_repo(tmp_path: Path) -> None:
    page = ROOT / "docs" / "x.md"  # not written: only its folder matters
    assert _broken(page, "../../shared/DESIGN.md") == "points outside the repo"
    assert _broken(page, "design.md#5-measures-exact-definitions") is None
    assert _broken(page, "design.md#no-such-part") == "no heading #no-such-part"
    assert _broken(page, "nothing.md") == "no such file"
    toml = write(tmp_path, "s.toml", 'x = 1  # see ../shared/REFERENCES.md and `docs/a.md`\n')
    assert [t for t, _ in _links(toml)] == ["../shared/REFERENCES.md", "docs/a.md"]

"""Render docs/settings.md from crawler/settings.py: each setting's `#:` comment is its one
documentation, and its value the one default. `python tools/settings_doc.py` writes the page;
`--check` exits 1 when the page is not what the settings say (tests/unit/test_settings_doc.py).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "crawler" / "settings.py"
PAGE = ROOT / "docs" / "settings.md"
WIRING = {"DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES", "EXTENSIONS"}

HEAD = """# Settings

Every setting of a crawl, with its one default (`crawler/settings.py`, from which this page is
rendered by `python tools/settings_doc.py`). Set one for a run with `warta crawl SITE -s
NAME=VALUE` (or `scrapy crawl SITE -s NAME=VALUE`), or for a scheduled job in its `settings`
table:

```toml
[[job]]
id = "medcom-latest"
kind = "crawl"
site = "medcom"
interval_minutes = 30
settings = { DOWNLOAD_DELAY = 2, STAGING_FLUSH_ITEMS = 100 }
```

Scrapy's other settings can be set the same way
([Scrapy's settings](https://docs.scrapy.org/en/latest/topics/settings.html)); a name that is
neither warta's nor Scrapy's is refused.
"""


def _sections(source: str) -> list[tuple[str, list[tuple[list[str], list[str], str]]]]:
    """[(section title, [(names, default sources, doc)])] in file order. A `#:` comment documents
    the assignments right below it; assignments that follow without a blank line share it."""
    lines = source.splitlines()
    starts = {
        node.lineno: node
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper()
    }
    sections: list = [("", [])]
    doc: list[str] = []
    group: tuple[list[str], list[str], str] | None = None
    number = 1
    while number <= len(lines):
        stripped = lines[number - 1].strip()
        node = starts.get(number)
        if node is not None:
            name = node.targets[0].id  # type: ignore[attr-defined]
            default = ast.get_source_segment(source, node.value) or ""
            if doc or group is None:
                group = ([], [], " ".join(doc))
                sections[-1][1].append(group)
                doc = []
            group[0].append(name)
            group[1].append(default)
            number = (node.end_lineno or number) + 1
            continue
        if stripped.startswith("# ---"):
            sections.append((stripped.strip("# -"), []))
            doc, group = [], None
        elif stripped.startswith("#:"):
            doc.append(stripped[2:].strip())
        elif not stripped or not stripped.startswith("#"):
            doc, group = [], None
        number += 1
    return [s for s in sections if s[1]]


def _default(name: str, source: str) -> str:
    if name in WIRING:
        return "see crawler/settings.py"
    if "(" in source:  # read from the environment when the crawl starts: the meaning says from where
        return "see meaning"
    return f"`{' '.join(source.split())}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    out = [HEAD]
    for title, groups in _sections(SETTINGS.read_text()):
        out.append(f"\n## {title}\n\n| setting | default | meaning |\n| --- | --- | --- |")
        for names, defaults, doc in groups:
            for i, (name, default) in enumerate(zip(names, defaults, strict=True)):
                meaning = _cell(doc) if i == 0 else "(as above)"
                out.append(f"| `{name}` | {_cell(_default(name, default))} | {meaning} |")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    page = render()
    if "--check" in argv:
        if not PAGE.exists() or PAGE.read_text() != page:
            print(f"{PAGE.relative_to(ROOT)} is not what crawl/settings.py says: run python tools/settings_doc.py")
            return 1
        return 0
    PAGE.parent.mkdir(exist_ok=True)
    PAGE.write_text(page)
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

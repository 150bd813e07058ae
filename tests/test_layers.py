"""The layering of README "How it is built", as import-linter contracts (pyproject.toml), and
the habits that keep the code readable: ruff clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    return str(BIN / name) if (BIN / name).exists() else shutil.which(name) or name


def test_imports_follow_the_layers():
    result = subprocess.run(
        [_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_extraction_imports_without_scrapy():
    """The pure parse runs where Scrapy is not even importable (a notebook, a Spark job)."""
    code = (
        "import sys; sys.modules['scrapy'] = None; sys.modules['twisted'] = None; "
        "from extract import parse_article; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr[-2000:]


def test_ruff_is_clean_and_formatted():
    for command in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run([_tool("ruff"), *command], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"ruff {' '.join(command)}:\n{result.stdout[-3000:]}"


def test_no_machine_specific_paths_in_the_repository():
    """A path of one machine (a home, a workplace folder) breaks a clean clone elsewhere."""
    import re

    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    pattern = re.compile(r"(?<![\w.])/(?:work|root|home/\w+|Users/\w+)/")
    found = [
        f"{name}:{number}"
        for name in listed
        if name.endswith((".py", ".toml", ".md", ".cfg", ".txt", ".ini")) or name in ("Makefile", ".ci/run")
        for number, line in enumerate((ROOT / name).read_text(errors="replace").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found, f"machine-specific paths: {found[:10]}"

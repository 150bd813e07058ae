"""Every example in README.md and docs/*.md runs as written after `make demo` (issue 26).

Each ```sh and ```python block runs in a fresh copy of a repository-like folder: the
repository's files (symlinked), and `data/demo` as `warta demo` leaves it (built once per
module). The shell blocks run with bash (`set -e -o pipefail`: every line a command that must
succeed), the Python blocks with `python -c`, both with `.venv/bin` first on the PATH. Examples
that crawl the demo site say `--base-url http://127.0.0.1:8000` (where `warta demo --serve`
serves it); here the site is served on a free port and `127.0.0.1:8000` in the example's text
becomes that port, so the tests never need port 8000. ```console, ```text, ```json, ```ini
and ```toml blocks are shown, not run; a toml block is a schedule file and must load, and the
README's sample row must be a row of the demo's snapshot.

Also here: what the examples promise of the Python API. `from warta import read_articles`
works without loading Scrapy, and `date` comes back as a day users can compare and sort.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from demosite import DemoServer, generate_site
from tests.conftest import ROOT, warta_env

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUN = ("sh", "python")
SHOWN = ("console", "text", "json", "ini", "toml")
DEMO_PORT = "127.0.0.1:8000"  # the address of `warta demo --serve` the examples name
SKIP_ENTRIES = {".git", ".venv", "data", ".pytest_cache", ".ruff_cache", "__pycache__"}
TIMEOUT = 120


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence
    lang: str
    code: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def code_blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file, with the line of each opening fence."""
    blocks, current, indent = [], None, 0
    for number, line in enumerate(path.read_text().splitlines(), 1):
        stripped = line.lstrip()
        if current is None and stripped.startswith("```"):
            current, indent, lines = (number, stripped[3:].strip()), len(line) - len(stripped), []
        elif current is not None and stripped.startswith("```"):
            blocks.append(Block(path, current[0], current[1], "\n".join(lines) + "\n"))
            current = None
        elif current is not None:
            lines.append(line[indent:] if line[:indent].isspace() else line)
    assert current is None, f"{path.relative_to(ROOT)}:{current[0]}: a code block is not closed"
    return blocks


ALL_BLOCKS = [block for path in DOCUMENTS for block in code_blocks(path)]
RUNNABLE = [block for block in ALL_BLOCKS if block.lang in RUN]


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory) -> Path:
    """`data/demo` as `make demo` leaves it (`warta demo` run from a repository root)."""
    root = tmp_path_factory.mktemp("made")
    env = _env()
    result = subprocess.run(
        [sys.executable, "-m", "warta.cli", "demo"], cwd=root, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "data" / "demo"


@pytest.fixture(scope="module")
def demo_site():
    """The site `warta demo --serve` serves, on a free port of 127.0.0.1."""
    with DemoServer(generate_site()) as server:
        yield server


def _env() -> dict:
    """A user's shell after `make demo`: .venv/bin first on the PATH, no data dir chosen."""
    env = warta_env()
    for name in ("WARTA_DATA_DIR", "WARTA_LOG_LEVEL", "WARTA_REDIS_URL"):
        env.pop(name, None)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def _checkout(where: Path, demo_data: Path) -> Path:
    """A repository root of our own: the repository's files, and a fresh copy of data/demo."""
    where.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in SKIP_ENTRIES:
            (where / entry.name).symlink_to(entry)
    shutil.copytree(demo_data, where / "data" / "demo")
    return where


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """`command` in a session of its own, ended with everything it started (an example that
    leaves a process behind, or runs past the timeout, leaves nothing running)."""
    proc = subprocess.Popen(
        command, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        stderr += f"\n(killed after {TIMEOUT} s)"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)


def _failure(block: Block, result: subprocess.CompletedProcess, line: int | None) -> str:
    where = f"{block.path.relative_to(ROOT)}:{block.line + line}" if line else block.where
    return (
        f"{where}: the ```{block.lang} example failed (exit status {result.returncode})\n"
        f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
    )


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.where for block in RUNNABLE])
def test_the_example_runs_as_written_after_make_demo(block, demo_data, demo_site, tmp_path):
    repo = _checkout(tmp_path / "repo", demo_data)
    code = block.code.replace(DEMO_PORT, demo_site.base_url.removeprefix("http://"))
    if block.lang == "sh":
        # Line 1 of the script is the trap, so a failing command's $LINENO is its line in the block.
        script = "trap 'echo \"example failed at line $((LINENO - 1))\" >&2' ERR\n" + code
        command = ["bash", "-e", "-o", "pipefail", "-c", script]
    else:
        command = [sys.executable, "-c", code]
    result = _run(command, repo)
    if result.returncode != 0:
        if block.lang == "sh":
            found = re.findall(r"example failed at line (\d+)", result.stderr)
        else:
            found = re.findall(r'File "<string>", line (\d+)', result.stderr)
        pytest.fail(_failure(block, result, int(found[-1]) if found else None), pytrace=False)


def test_every_block_is_either_run_or_marked_as_shown():
    """An unlabelled or unknown block would be an example that no test runs."""
    wrong = [f"{b.where}: ```{b.lang or '(no language)'}" for b in ALL_BLOCKS if b.lang not in RUN + SHOWN]
    assert not wrong, f"label each block {RUN} (run by this test) or {SHOWN} (shown): {wrong}"
    assert len(RUNNABLE) >= 20, "the examples were found"


def test_run_examples_reach_only_the_demo_site():
    """A run example that crawls crawls 127.0.0.1 (the demo site): else the test suite would
    reach the live site. `--serve` never ends, Redis or S3 are not there, and `make` installs
    and runs the whole suite: such examples belong in a console block."""
    wrong = []
    for block in RUNNABLE:
        for n, line in enumerate(block.code.splitlines(), 1):
            crawls = re.search(r"\b(warta|scrapy)( -[qv])? crawl\b", line)
            once = "schedule once" in line and 'base_url = "http://127.0.0.1' not in block.code
            elsewhere = any(word in line for word in ("--serve", "redis", "s3://")) or line.startswith("make ")
            if elsewhere or once or (crawls and "127.0.0.1" not in line):
                wrong.append(f"{block.path.relative_to(ROOT)}:{block.line + n}: {line.strip()}")
    assert not wrong, f"show these in a ```console block, or crawl http://{DEMO_PORT}: {wrong}"


def test_toml_examples_of_schedules_load(tmp_path):
    """A ```toml block with jobs is a whole schedule file (site definitions are shown in parts)."""
    from schedules.config import load_schedule

    blocks = [b for b in ALL_BLOCKS if b.lang == "toml" and "[[job]]" in b.code]
    assert blocks
    for n, block in enumerate(blocks):
        path = tmp_path / f"{n}.toml"
        path.write_text(block.code)
        schedule = load_schedule(path)
        assert schedule.jobs, block.where


def _as_shown(value):
    """A value of a DataFrame row as JSON shows it."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def test_the_readme_sample_row_is_a_row_of_the_demo_snapshot(demo_data):
    from warta import read_articles

    [sample] = [json.loads(b.code) for b in code_blocks(ROOT / "README.md") if b.lang == "json"]
    df = read_articles(demo_data)
    [row] = df[df.article_id == sample["article_id"]].to_dict("records")
    row["date"] = f"{row['date']:%Y-%m-%d}"
    for column, shown in sample.items():
        actual = _as_shown(row[column])
        if isinstance(shown, str) and shown.endswith("…"):
            assert actual.startswith(shown[:-1]), column
        else:
            assert actual == shown, column


def test_the_column_table_of_data_md_lists_every_column_in_order():
    from pipeline.store.schema import dataset_schema

    text = (ROOT / "docs" / "data.md").read_text()
    table = text.split("## Article columns", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `(\w+)` \|", table, flags=re.M)
    assert listed == dataset_schema().names


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_links_between_the_pages_resolve():
    broken = []
    for path in DOCUMENTS:
        text = path.read_text()
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if "://" in target:
                continue
            file, _, anchor = target.partition("#")
            linked = (path.parent / file).resolve() if file else path
            if not linked.exists():
                broken.append(f"{path.relative_to(ROOT)}: {target}")
            elif anchor and linked.suffix == ".md":
                anchors = {_anchor(h) for h in re.findall(r"^#+ (.+)$", linked.read_text(), flags=re.M)}
                if anchor not in anchors:
                    broken.append(f"{path.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, broken


def test_the_readme_is_short_and_every_docs_page_says_what_it_covers():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 150
    for path in DOCUMENTS[1:]:
        lines = path.read_text().splitlines()
        assert lines[0].startswith("# ") and lines[1] == "" and lines[2], f"{path.name}: a title, then one line"


def test_read_articles_imports_from_warta_without_scrapy(demo_data):
    """The contract: `warta.read_articles` (also `pipeline.read_articles`); importing it does not
    load Scrapy. Scrapy and Twisted are made unimportable, so any import of them fails."""
    code = (
        "import sys; sys.modules['scrapy'] = None; sys.modules['twisted'] = None\n"
        "import warta\n"
        "assert 'pandas' not in sys.modules, 'importing warta loaded pandas'\n"
        "from warta import read_articles\n"
        "import pipeline\n"
        "assert read_articles is pipeline.read_articles\n"
        f"print(len(read_articles({str(demo_data)!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout) == 122


def test_the_date_column_is_a_day_users_can_compare_and_sort(demo_data):
    import pandas as pd

    from warta import read_articles

    df = read_articles(demo_data, columns=["article_id", "date", "site"])
    assert str(df["date"].dtype) == "datetime64[us]" and df["site"].dtype == "str"
    assert df["date"].is_monotonic_increasing, "sorted by day"
    later = df[df.date >= "2026-11-25"]
    assert len(later) == 40 and later["date"].equals(df[df.date >= pd.Timestamp("2026-11-25")]["date"])
    assert set(df.date.dt.strftime("%Y-%m-%d")) == {f"2026-11-{d}" for d in range(21, 27)}
    assert (df.date == df.date.dt.normalize()).all(), "a day, at midnight"
    one_day = read_articles(demo_data, since="2026-11-22", until="2026-11-22", columns=["date"])
    assert set(one_day["date"]) == {pd.Timestamp("2026-11-22")}
    # pandas alone gives an unordered category; the line docs/data.md gives makes the same dates
    raw = pd.read_parquet(demo_data / "snapshots", columns=["article_id", "date"])
    with pytest.raises(TypeError):
        raw[raw.date >= "2026-11-25"]
    raw["date"] = pd.to_datetime(raw["date"].astype(str))
    merged = df.merge(raw, on="article_id", suffixes=("", "_raw"))
    assert len(merged) == len(df) and merged["date"].equals(merged["date_raw"])
    assert raw["date"].dtype == df["date"].dtype


def test_an_empty_result_has_the_same_column_types(tmp_path):
    from warta import read_articles

    empty = read_articles(tmp_path, site="medcom")
    assert empty.empty and str(empty["date"].dtype) == "datetime64[us]" and empty["site"].dtype == "str"

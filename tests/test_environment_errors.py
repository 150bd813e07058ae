"""What goes wrong around a command is one line and a non-zero exit, and loses nothing: a full
disk under `snapshot`, `reparse`, `--repair` and a crawl, a read-only data dir, a reader that
closes the pipe, an unknown site. The disk cases run on a small tmpfs (root only)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from pipeline import read_articles
from tests.conftest import ROOT, run_warta, warta_env
from tests.test_disk_full import fill

SEED = ROOT / "tests" / "fixtures" / "medcom" / "seed-wang-yi-lavrov.html"
SEED_URL = "https://www.medcom.id/internasional/dunia/nbwXaLxk-wang-yi-dan-sergey-lavrov-saling-puji"


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory):
    """A data dir with staged, published and archived articles (`warta demo`)."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    result = run_warta("demo", "-q", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    return data_dir


@pytest.fixture
def tmpfs(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def _one_line_failure(result, command: str) -> str:
    assert result.returncode != 0, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"warta {command}: error: "), result.stderr[-3000:]
    return lines[0]


def _published(data_dir) -> dict:
    df = read_articles(data_dir, columns=["article_id", "content_hash"])
    return dict(zip(df["article_id"], df["content_hash"]))


@pytest.mark.parametrize(
    ("args", "free"),
    [
        (("snapshot", "--all"), 16_000),
        (("reparse",), 60_000),
        (("reparse",), 150_000),  # far enough to write staging: the build's temp files fail
        (("snapshot", "--repair"), 60_000),
    ],
)
def test_a_full_disk_is_one_line_and_loses_nothing(tmpfs, demo_data, args, free):
    data_dir = tmpfs / "data"
    shutil.copytree(demo_data, data_dir)
    before = _published(data_dir)
    for manifest in (data_dir / "snapshots").glob("*/*/_manifest.json"):
        manifest.unlink()  # every partition has to be written again: work for each command
    fill(tmpfs, free, step=4096)  # within a page of `free`: the case must not depend on the margin
    result = run_warta(*args, "--data-dir", str(data_dir))
    line = _one_line_failure(result, args[0])
    assert "full" in line or "No space left" in line, line
    (tmpfs / "filler").unlink()
    again = run_warta(*args, "--data-dir", str(data_dir))
    assert again.returncode == 0, again.stderr
    assert run_warta("snapshot", "--verify", "--data-dir", str(data_dir)).returncode == 0
    assert _published(data_dir) == before


def test_a_crawl_that_cannot_make_its_state_files_is_one_line(tmpfs, server):
    fill(tmpfs, 64 * 1024, step=4096)
    result = run_warta("crawl", "medcom", "--base-url", server.base_url, "--data-dir", str(tmpfs / "data"))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "warta crawl: error: " in result.stderr and "full" in result.stderr, result.stderr


def test_a_read_only_data_dir_can_be_read_and_is_refused_for_writing(tmpfs, demo_data):
    data_dir = tmpfs / "data"
    shutil.copytree(demo_data, data_dir)
    article_id = next(iter(_published(data_dir)))
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    parsed = run_warta("parse", "--from-archive", article_id, "--data-dir", str(data_dir))
    assert parsed.returncode == 0, parsed.stderr
    assert json.loads(parsed.stdout)["article_id"] == article_id
    line = _one_line_failure(run_warta("reparse", "--data-dir", str(data_dir)), "reparse")
    assert "not writable" in line and "Read-only file system" in line, line


def test_reparse_of_an_unknown_site_is_a_usage_error(tmp_path):
    result = run_warta("reparse", "kompas", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "unknown site 'kompas'" in result.stderr


def test_a_reader_that_closes_the_pipe_early_is_no_error(tmp_path):
    page = tmp_path / "long.html"
    html = SEED.read_text()
    paragraph = "<p>" + "Kalimat panjang yang diulang untuk halaman ini. " * 40 + "</p>"
    page.write_text(html.replace("</strong>", "</strong>" + paragraph * 150, 1))  # ~1 MB of JSON out
    command = f"{sys.executable} -m warta.cli parse {page} --url {SEED_URL} | head -c 100"
    result = subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=warta_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert result.stdout.startswith("{"), result.stdout
    assert result.stderr == "", result.stderr

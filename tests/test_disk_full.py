"""A disk that fills up mid-crawl: the crawl says so and exits 1, staging holds no torn line,
and a crawl once the disk has room again brings every article into the snapshots.
Runs on a small tmpfs, so it needs root (mount); it is skipped otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pipeline import read_articles
from tests.conftest import ROOT, crawl_args, run_warta, scrapy_crawl, spider_args, warta_env

FREE_BYTES = 700 * 1024  # room for the state files, the log and a few flushes of raw archive and staging, not for all


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def fill(disk, leave: int, step: int = 65536) -> None:
    """Fills the file system of `disk` until at most `leave` + `step` bytes are free."""
    filler = disk / "filler"
    with open(filler, "wb") as fh:
        chunk = b"\0" * step
        while (st := os.statvfs(disk)).f_bavail * st.f_frsize > leave + len(chunk):
            fh.write(chunk)
            fh.flush()


def staged_lines(data_dir):
    for path in sorted((data_dir / "staging" / "medcom").glob("*.jsonl")):
        yield from path.read_bytes().splitlines(keepends=True)


def test_a_full_disk_fails_the_crawl_loudly_and_a_later_crawl_recovers_everything(small_disk, server, site):
    data_dir = small_disk / "data"
    args = crawl_args(server, site, data_dir)
    fill(small_disk, FREE_BYTES)
    # Small flushes: the first one fits however fast the crawl runs (a flush of 50 came after
    # the raw records of most of the site's pages, and did not fit on a fast machine).
    small_flushes = ("-s", "STAGING_FLUSH_ITEMS=10")
    scrapy = scrapy_crawl(data_dir, *spider_args(server, site.days[0], site.days[-1]), *small_flushes)
    assert scrapy.returncode == 1 and "scrapy crawl: could not stage" in scrapy.stderr, scrapy.stderr[-3000:]
    assert "No space left on device" in scrapy.stderr, scrapy.stderr[-3000:]
    full = run_warta(*args, "--refetch")
    assert full.returncode == 1, (full.stdout, full.stderr[-3000:])
    assert "warta crawl: could not stage" in full.stderr and "No space left on device" in full.stderr, full.stderr[
        -3000:
    ]
    assert "Traceback" not in full.stderr, full.stderr[-3000:]
    assert "NOT STAGED" in full.stdout, full.stdout
    lines = list(staged_lines(data_dir))
    assert lines, "some articles were staged before the disk filled"
    ids = [json.loads(line)["article_id"] for line in lines]  # every line whole: none torn
    assert all(line.endswith(b"\n") for line in lines)
    assert len(ids) == len(set(ids)), "no record written twice (a torn copy, then the retry)"

    (small_disk / "filler").unlink()
    again = run_warta(*args)
    assert again.returncode == 0, again.stderr[-3000:]
    assert run_warta("snapshot", "--data-dir", str(data_dir)).returncode == 0
    expected = {a.article_id for a in site.articles if not a.copy_of}
    published = set(read_articles(data_dir, columns=["article_id"])["article_id"])
    copies = {a.article_id for a in site.articles if a.copy_of} | {a.copy_of for a in site.articles if a.copy_of}
    assert expected - copies <= published, sorted(expected - copies - published)
    assert len(published) == len(site.articles) - 1, "each article once; the exact copy once"


PARTIAL_WRITE = """
import json, resource, signal, sys
from pathlib import Path
from pipeline.store.staging import SegmentWriter

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
writer = SegmentWriter(Path(sys.argv[1]), "medcom", flush_items=1000, flush_seconds=3600)
writer.add({"article_id": "first", "body": "x" * 500})
writer.flush()
size = writer.path.stat().st_size
resource.setrlimit(resource.RLIMIT_FSIZE, (size + 700, resource.RLIM_INFINITY))
for n in range(3):
    writer.add({"article_id": f"late{n}", "body": "y" * 500})
try:
    writer.flush()
except OSError as exc:
    print("failed:", exc.strerror, "size after:", writer.path.stat().st_size, "before:", size)
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
writer.close()
"""


def test_a_write_that_fails_part_way_leaves_no_partial_line(tmp_path):
    """The file-size limit stands in for a full disk (no root needed): the first of three
    records fits, the flush fails, and the retry must not follow half a copy."""
    result = subprocess.run(
        [sys.executable, "-c", PARTIAL_WRITE, str(tmp_path)],
        cwd=ROOT,
        env=warta_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "failed: File too large" in result.stdout
    before, after = result.stdout.split("size after:")[1].split("before:")
    assert int(before) == int(after), "the failed write was cut back off"
    ids = [json.loads(line)["article_id"] for line in staged_lines(tmp_path)]
    assert ids == ["first", "late0", "late1", "late2"]

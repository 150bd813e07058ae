"""Bad paths are errors (issue 17): an unusable data dir is one line naming it, `snapshot
--verify` without snapshots fails, as does `reparse` without a raw archive, `read_articles`
refuses a missing dir, a bad date, an unknown site; and the install: dependency ranges, the
tested set in constraints.txt."""

from __future__ import annotations

import os

import pytest

from tests.conftest import ROOT, run_warta
from tests.test_cli_conventions import schedule_file

COMMANDS = {
    "crawl": lambda d, tmp: ["crawl", "medcom", "--base-url", "http://127.0.0.1:9", "--data-dir", d],
    "snapshot": lambda d, tmp: ["snapshot", "--data-dir", d],
    "verify": lambda d, tmp: ["snapshot", "--verify", "--data-dir", d],
    "report": lambda d, tmp: ["report", "--data-dir", d],
    "demo": lambda d, tmp: ["demo", "--data-dir", d],
    "schedule once": lambda d, tmp: ["schedule", "once", "snap", "--config", schedule_file(tmp), "--data-dir", d],
    "schedule run": lambda d, tmp: ["schedule", "run", "--config", schedule_file(tmp), "--data-dir", d],
    "schedule status": lambda d, tmp: ["schedule", "status", "--config", schedule_file(tmp), "--data-dir", d],
}


READ_ONLY = ("snapshot", "verify", "report", "schedule status")  # nothing to read in a missing dir
CASES = [
    (command, problem)
    for command in sorted(COMMANDS)
    for problem in ("a file", "under a file", "missing")
    if problem != "missing" or command in READ_ONLY
]  # the others create their data dir


@pytest.mark.parametrize("command, problem", CASES)
def test_an_unusable_data_dir_is_one_line_naming_it(tmp_path, command, problem):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a data dir")
    data_dir = {"a file": a_file, "under a file": a_file / "data", "missing": tmp_path / "absent"}[problem]
    result = run_warta(*COMMANDS[command](str(data_dir), tmp_path), timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and f"data dir {data_dir} " in lines[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_data_dir_is_refused(tmp_path):
    data_dir = tmp_path / "ro"
    data_dir.mkdir()
    data_dir.chmod(0o555)
    try:
        result = run_warta("crawl", "medcom", "--data-dir", str(data_dir), timeout=60)
    finally:
        data_dir.chmod(0o755)
    assert result.returncode == 1 and result.stderr.strip().endswith(
        f"data dir {data_dir} is not writable: Permission denied"
    )


def test_verify_without_snapshots_fails(tmp_path):
    result = run_warta("snapshot", "--verify", "--data-dir", str(tmp_path), timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == f"verify: no snapshots in {tmp_path / 'snapshots'}"
    assert "OK" not in result.stdout


@pytest.mark.parametrize("form", ["path", "file URL"])
def test_reparse_without_a_raw_archive_is_refused(tmp_path, form):
    """A file:// data dir is a local folder (DataDir), so its missing DATA/raw/ is noticed too."""
    from warta.cli import main

    data_dir = str(tmp_path) if form == "path" else f"file://{tmp_path}"
    with pytest.raises(SystemExit, match=r"warta reparse: error: no raw archive in .* \(DATA/raw/ is missing\)"):
        main(["reparse", "--data-dir", data_dir])


def test_read_articles_refuses_a_missing_dir_a_bad_date_and_an_unknown_site(tmp_path):
    from pipeline import read_articles

    with pytest.raises(FileNotFoundError):
        read_articles(tmp_path / "absent")
    with pytest.raises(ValueError, match=r"^since: not a date in YYYY-MM-DD form: '2026-13-40'$"):
        read_articles(tmp_path, since="2026-13-40")
    with pytest.raises(ValueError, match=r"^until: "):
        read_articles(tmp_path, since="2026-01-01", until="soon")
    with pytest.raises(ValueError, match=r"unknown site 'kompas'; known: medcom"):
        read_articles(tmp_path, site="kompas")
    assert read_articles(tmp_path, site="medcom").empty, "a known site with nothing yet is an empty frame"


# Installable beside other tools ------------------------------------------------------------------
def test_dependencies_are_ranges_and_the_tested_set_is_a_constraints_file():
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
    assert not [str(r) for r in reqs if any(s.operator in ("==", "===") for s in r.specifier)], (
        "pins belong in constraints"
    )
    pinned = {
        Requirement(line).name.lower(): line
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert all("==" in line for line in pinned.values())
    assert {r.name.lower().replace("_", "-") for r in reqs} <= {n.replace("_", "-") for n in pinned}
    for r in reqs:  # the tested versions are inside the ranges
        version = pinned[next(n for n in pinned if n.replace("_", "-") == r.name.lower().replace("_", "-"))]
        assert r.specifier.contains(version.split("==")[1]), (str(r), version)
    makefile = (ROOT / "Makefile").read_text()
    assert makefile.count("$(CONSTRAINTS)") >= 2 and "CONSTRAINTS := -c constraints.txt" in makefile

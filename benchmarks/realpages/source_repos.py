"""The source repositories of the real-page corpus: their pinned commits, read from git mirrors
with `git cat-file` (no code of theirs is run); and the registered domain of a page's URL,
which every record names as its site."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# The repositories' git data, fetched whole (a bare git directory each, `<owner>+<name>/repo`):
# $WARTA_MIRRORS names where.
MIRRORS = Path(os.environ.get("WARTA_MIRRORS", "mirrors"))

SOURCES = {
    "fundus": {
        "repo": "flairNLP/fundus",
        "git_dir": MIRRORS / "flairNLP+fundus" / "repo",
        # pinned: the newest commit of the snapshot fetched on 2026-08 (committer date 2026-08-05)
        "commit": "18da6e53592f99cf0ac5770dc63d6ba99ba63ae8",
        "license": "MIT",
    },
    "scrapinghub": {
        "repo": "scrapinghub/article-extraction-benchmark",
        "git_dir": MIRRORS / "scrapinghub+article-extraction-benchmark" / "repo",
        "commit": "4a3bc979f76c0df73cb95fe272e2fc1b96f9f010",
        "license": "MIT",
    },
}


class Git:
    def __init__(self, git_dir: Path, commit: str):
        self.git_dir, self.commit = Path(git_dir), commit
        if not self.git_dir.exists():
            raise SystemExit(f"missing mirror {self.git_dir}: fetch the repository first (see README.md)")
        self._run("cat-file", "-e", f"{commit}^{{commit}}")

    def _run(self, *args: str) -> bytes:
        done = subprocess.run(["git", "--git-dir", str(self.git_dir), *args], capture_output=True, check=False)
        if done.returncode:
            raise RuntimeError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    def ls(self, path: str) -> list[str]:
        out = self._run("ls-tree", "-r", "--name-only", self.commit, "--", path)
        return sorted(out.decode().splitlines())

    def show(self, path: str) -> bytes:
        return self._run("cat-file", "blob", f"{self.commit}:{path}")


_EXTRACT = None


def registered_domain(url: str) -> str:
    global _EXTRACT
    if _EXTRACT is None:
        import tldextract

        _EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # bundled list, offline
    parts = _EXTRACT(url)
    return parts.top_domain_under_public_suffix or parts.domain

"""Staging and snapshots on an object store (`s3://bucket/prefix`), with the local layout.

Publishing a partition: the Parquet bytes go to a dot-prefixed temp object (dataset readers
skip it), a server-side copy makes `part-0.parquet` appear whole, then the manifest follows
the same way. Object stores have no rename, but an object is only visible once its upload
completed and a copy replaces the old object in one step: a reader gets the old partition or
the new one, never half of one. Staging objects are immutable (one per flush), so every
listed object is complete; the builder removes them once their partitions are published.
"""
from __future__ import annotations

import hashlib
import io
import json
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.partitions import MANIFEST_NAME, PART_NAME, conform, manifest_problems, new_manifest, write_parquet
from pipeline.storage import RemoteDir


class ObjectSegment:
    """One staging object: its records, then removal once consumed."""

    def __init__(self, remote: RemoteDir, path: str):
        self.remote = remote
        self.path = path

    def records(self) -> Iterator[dict | None]:
        for line in self.remote.read_bytes(self.path).splitlines():
            try:
                yield json.loads(line)
            except ValueError:
                yield None

    def remove(self) -> None:
        self.remote.fs.rm_file(self.path)

    def release(self) -> None:
        pass


def object_segments(remote: RemoteDir) -> list[ObjectSegment]:
    return [ObjectSegment(remote, p) for p in remote.glob("staging", "*", "*.jsonl")]


class ObjectPartitions:
    """The partitions of a data dir on an object store (same interface as LocalPartitions)."""

    def __init__(self, remote: RemoteDir):
        self.remote = remote

    def _dir(self, site: str, day: str) -> str:
        return self.remote.path("snapshots", f"site={site}", f"date={day}")

    def remove_stale(self) -> None:
        for stale in self.remote.glob("snapshots", "site=*", "date=*", ".*.tmp"):
            self.remote.fs.rm_file(stale)  # a build killed mid-publish left it; never visible

    def existing(self) -> list[tuple[str, str]]:
        found = []
        for path in self.remote.glob("snapshots", "site=*", "date=*", PART_NAME):
            site, day = path.split("/")[-3:-1]
            found.append((site.removeprefix("site="), day.removeprefix("date=")))
        return sorted(found)

    def read(self, site: str, day: str) -> pa.Table | None:
        try:
            data = self.remote.read_bytes(f"{self._dir(site, day)}/{PART_NAME}")
        except FileNotFoundError:
            return None
        return conform(pq.read_table(io.BytesIO(data)))

    def manifest_matches(self, site: str, day: str) -> bool:
        directory = self._dir(site, day)
        try:
            manifest = json.loads(self.remote.read_bytes(f"{directory}/{MANIFEST_NAME}"))
            data = self.remote.read_bytes(f"{directory}/{PART_NAME}")
        except (OSError, ValueError):
            return False
        return manifest.get("sha256") == hashlib.sha256(data).hexdigest()

    def publish(self, site: str, day: str, table: pa.Table) -> None:
        directory = self._dir(site, day)
        buffer = io.BytesIO()
        write_parquet(table, buffer)
        data = buffer.getvalue()
        manifest = new_manifest(table, hashlib.sha256(data).hexdigest())
        for name, payload in ((PART_NAME, data), (MANIFEST_NAME, json.dumps(manifest, indent=1).encode())):
            tmp = f"{directory}/.{name}.tmp"
            self.remote.put_bytes(tmp, payload)
            self.remote.publish(tmp, f"{directory}/{name}")

    def problems(self, site: str, day: str) -> list[str]:
        directory, where = self._dir(site, day), f"site={site}/date={day}"
        try:
            manifest = json.loads(self.remote.read_bytes(f"{directory}/{MANIFEST_NAME}"))
        except (OSError, ValueError):
            return [f"{where}: no manifest"]
        try:
            data = self.remote.read_bytes(f"{directory}/{manifest.get('file', PART_NAME)}")
        except FileNotFoundError:
            data = None
        return manifest_problems(where, manifest, hashlib.sha256(data).hexdigest() if data is not None else None,
                                 lambda: pq.ParquetFile(io.BytesIO(data)).metadata.num_rows)

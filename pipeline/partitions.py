"""Published partitions on disk: atomic publish, manifests, verification.

Publishing writes a dot-prefixed temp file in the partition folder (dataset readers skip it),
fsyncs it and renames it over the old file, then does the same for the manifest, then
fsyncs the folder: a reader sees the old partition or the new one, never half of one.
"""
from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema import SCHEMA_VERSION, file_schema

PART_NAME = "part-0.parquet"
MANIFEST_NAME = "_manifest.json"
ROW_GROUP_SIZE = 10_000


def partition_dir(data_dir: Path, site: str, day: str) -> Path:
    return Path(data_dir) / "snapshots" / f"site={site}" / f"date={day}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def publish_partition(directory: Path, table: pa.Table) -> None:
    """Atomically replace a partition's file, then its manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    part = directory / PART_NAME
    _write_atomic(part, lambda tmp: pq.write_table(
        table, tmp, compression="zstd", row_group_size=ROW_GROUP_SIZE, write_statistics=True))
    manifest = {"rows": table.num_rows, "schema_version": SCHEMA_VERSION, "file": PART_NAME,
                "sha256": _sha256(part), "built_at": datetime.now(timezone.utc).isoformat()}
    _write_atomic(directory / MANIFEST_NAME, lambda tmp: tmp.write_text(json.dumps(manifest, indent=1)))
    _fsync_dir(directory)


def manifest_matches(directory: Path) -> bool:
    """A build killed between publishing a file and its manifest leaves them disagreeing."""
    try:
        manifest = json.loads((directory / MANIFEST_NAME).read_text())
    except (OSError, ValueError):
        return False
    return manifest.get("sha256") == _sha256(directory / PART_NAME)


def existing_partitions(data_dir: Path) -> list[tuple[str, str]]:
    root = Path(data_dir) / "snapshots"
    return sorted((p.parent.name.removeprefix("site="), p.name.removeprefix("date="))
                  for p in root.glob("site=*/date=*") if p.is_dir())


def read_partition(directory: Path) -> pa.Table | None:
    part = directory / PART_NAME
    if not part.exists():
        return None
    table = pq.read_table(part)
    schema = file_schema()
    # Older partitions may lack later columns: add them as nulls so rows merge.
    for f in schema:
        if f.name not in table.column_names:
            table = table.append_column(f, pa.nulls(table.num_rows, f.type))
    return table.select(schema.names).cast(schema)


def verify(data_dir: str | os.PathLike) -> list[str]:
    """Problems found checking every partition against its manifest; empty when all is well."""
    problems = []
    for site, day in existing_partitions(Path(data_dir)):
        directory = partition_dir(Path(data_dir), site, day)
        where = f"site={site}/date={day}"
        manifest_path = directory / MANIFEST_NAME
        if not manifest_path.exists():
            problems.append(f"{where}: no manifest")
            continue
        manifest = json.loads(manifest_path.read_text())
        part = directory / manifest.get("file", PART_NAME)
        if not part.exists():
            problems.append(f"{where}: {part.name} missing")
            continue
        if _sha256(part) != manifest["sha256"]:
            problems.append(f"{where}: checksum differs from manifest")
            continue
        try:
            rows = pq.ParquetFile(part).metadata.num_rows
        except Exception as exc:  # any unreadable file is a problem to report, not to raise
            problems.append(f"{where}: unreadable ({exc})")
            continue
        if rows != manifest["rows"]:
            problems.append(f"{where}: {rows} rows, manifest says {manifest['rows']}")
    return problems

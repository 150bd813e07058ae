"""The Arrow schema of the snapshots, derived from `crawler.extract.article.Article`.

Partition columns (`site`, `date`) live in the directory names, not in the files: Arrow
refuses a dataset whose files and partition paths both carry a column.
"""
from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from crawler.extract.article import article_fields

SCHEMA_VERSION = 1
SCHEMA_VERSION_KEY = b"warta.schema_version"
PARTITION_SCHEMA = pa.schema([("site", pa.string()), ("date", pa.string())])

_TYPES = {"str": pa.string(), "int": pa.int32(), "list[str]": pa.list_(pa.string())}


def _arrow_type(f) -> pa.DataType:
    name = f.type.replace(" | None", "")
    if name == "datetime":
        return pa.timestamp("us", tz=f.metadata["tz"])
    return _TYPES[name]


def file_schema() -> pa.Schema:
    """Schema of one partition file: every Article field except the partition columns."""
    return pa.schema(
        [pa.field(f.name, _arrow_type(f), nullable=f.name not in ("article_id", "url"),
                  metadata={b"doc": f.metadata["doc"].encode()})
         for f in article_fields() if not f.metadata.get("partition")],
        metadata={SCHEMA_VERSION_KEY: str(SCHEMA_VERSION).encode()},
    )


def dataset_schema() -> pa.Schema:
    """Schema of the whole snapshot dataset: file columns plus the partition columns."""
    schema = file_schema()
    for f in PARTITION_SCHEMA:
        schema = schema.append(f)
    return schema


def timestamp_fields() -> list[str]:
    return [f.name for f in article_fields() if f.type.startswith("datetime")]


def records_to_table(records: list[dict]) -> pa.Table:
    """Arrow table (file schema) from article dicts whose timestamps may be ISO strings."""
    schema = file_schema()
    stamps = timestamp_fields()
    rows = []
    for record in records:
        row = {name: record.get(name) for name in schema.names}
        for name in stamps:
            if isinstance(row[name], str):
                row[name] = datetime.fromisoformat(row[name])
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=schema)

"""The Arrow schema of the snapshots, derived from `extract.article.Article`.

Partition columns (`site`, `date`) live in the directory names, not in the files: Arrow
refuses a dataset whose files and partition paths both carry a column.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from extract.article import article_fields
from pipeline.drops import implausible_date

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
        [
            pa.field(
                f.name,
                _arrow_type(f),
                nullable=f.name not in ("article_id", "url"),
                metadata={b"doc": f.metadata["doc"].encode()},
            )
            for f in article_fields()
            if not f.metadata.get("partition")
        ],
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


_PY_TYPES = {"str": str, "int": int}
REQUIRED = ("article_id", "site", "url")


def _value_problem(name: str, kind: str, value) -> str | None:
    """Why `value` cannot be the column `name` of type `kind` (as staged: times as ISO strings)."""
    kind = kind.replace(" | None", "")
    if value is None:  # as the Arrow schema: only the identity columns may not be null
        return f"{name} is missing" if name in REQUIRED else None
    if kind == "datetime":
        if not isinstance(value, str):
            return f"{name} is not a time"
        try:
            stamp = datetime.fromisoformat(value)
        except ValueError:
            return f"{name} is not a time: {value[:40]!r}"
        return None if stamp.tzinfo is not None else f"{name} has no time zone: {value[:40]!r}"
    if kind == "list[str]":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if ok else f"{name} is not a list of strings"
    wanted = _PY_TYPES[kind]
    ok = isinstance(value, wanted) and not (wanted is int and isinstance(value, bool))
    return None if ok and (kind != "int" or -(2**31) <= value < 2**31) else f"{name} is not a {kind}"


def record_problem(record) -> str | None:
    """Why a staged record cannot become a row (not an object, a wrong type, a time that does not
    parse), or None. A staging file is data on disk: anything can be in it."""
    if not isinstance(record, dict):
        return f"not an article record but {type(record).__name__}"
    for f in article_fields():
        if problem := _value_problem(f.name, f.type, record.get(f.name)):
            return problem
    if not record["article_id"] or not record["site"]:
        return "empty article_id or site"
    if record.get("published_at") and implausible_date(datetime.fromisoformat(record["published_at"])):
        return f"implausible publication date {record['published_at'][:25]}"
    return None

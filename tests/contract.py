"""The contract's article columns and the boilerplate no body may contain."""

import pyarrow as pa

CONTRACT_TYPES = {
    "article_id": pa.string(),
    "site": None,
    "url": pa.string(),
    "title": pa.string(),
    "kicker": pa.string(),
    "authors": pa.list_(pa.string()),
    "editor": pa.string(),
    "published_at": "timestamp_tz",
    "published_raw": pa.string(),
    "dateline": pa.string(),
    "channel": pa.string(),
    "subchannel": pa.string(),
    "tags": pa.list_(pa.string()),
    "image_url": pa.string(),
    "image_caption": pa.string(),
    "body": pa.string(),
    "related_urls": pa.list_(pa.string()),
    "word_count": "int",
    "language": pa.string(),
    "content_hash": pa.string(),
    "duplicate_of": pa.string(),
    "crawled_at": "timestamp_tz",
}
LEAKS = (
    "Google News",
    "Cek Berita",
    "FOLLOW US",
    "TERKAIT",
    "BERITA LAINNYA",
    "Ikuti media sosial",
    "Bagaimana tanggapan",
    "Baca:",
    "Baca juga",
    "Hai, Sobat",
    "ADVERTISEMENT",
    "WhatsApp",
    "Happy\n",
    "dataLayer",
    "Ilustrasi ",
    "Facebook",
)


def check_arrow_types(schema: pa.Schema) -> list[str]:
    problems = []
    for name, want in CONTRACT_TYPES.items():
        if name not in schema.names:
            problems.append(f"missing column {name}")
            continue
        got = schema.field(name).type
        if want == "timestamp_tz":
            ok = pa.types.is_timestamp(got) and got.tz is not None
        elif want == "int":
            ok = pa.types.is_integer(got)
        elif want is None:
            ok = True
        else:
            ok = got == want or (pa.types.is_dictionary(got) and got.value_type == want)
        if not ok:
            problems.append(f"{name}: {got} is not {want}")
    return problems


def leaks(body: str) -> list[str]:
    return [phrase for phrase in LEAKS if phrase in body]

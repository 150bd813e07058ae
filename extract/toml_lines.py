"""Where a table or a key sits in a TOML file (a schedule file, a site definition). tomllib
returns values without positions, so error messages find their line in the text: the table's
header, then the key inside it."""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADER = re.compile(r"""\s*(\[\[?)\s*([\w."' -]+?)\s*\]\]?\s*(?:#.*)?""")


@dataclass(frozen=True)
class Table:
    name: str  # "" for the root, the lines before the first header
    array: bool  # [[name]] rather than [name]
    first: int  # line number of the header (1-based)
    last: int


def tables(text: str) -> list[Table]:
    """The root and every table header of the file, in file order."""
    lines = text.splitlines()
    headers = []
    for number, line in enumerate(lines, 1):
        match = HEADER.fullmatch(line)
        if match:
            headers.append((match[2].replace('"', "").replace("'", "").replace(" ", ""), match[1] == "[[", number))
    found = [Table("", False, 1, (headers[0][2] - 1) if headers else len(lines))]
    for i, (name, array, first) in enumerate(headers):
        last = headers[i + 1][2] - 1 if i + 1 < len(headers) else len(lines)
        found.append(Table(name, array, first, last))
    return found


def key_line(text: str, table: Table, key: str) -> int:
    """The line of `key = ...` (or of a dotted `key.x = ...`) in `table`; its header if absent."""
    pattern = re.compile(rf"""\s*["']?{re.escape(key)}["']?\s*[=.]""")
    lines = text.splitlines()
    for number in range(table.first, min(table.last, len(lines)) + 1):
        if pattern.match(lines[number - 1]):
            return number
    return table.first

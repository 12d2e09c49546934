"""Rewrite the spec table of docs/layout-format.md from the settings table (core/spec.py).

Run: `.venv-5.0/bin/python tools/spec_table.py` after adding or changing a spec field.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "docs" / "layout-format.md"
BEGIN, END = "<!-- spec table: begin -->\n", "<!-- spec table: end -->\n"


def with_table(document: str, table: str) -> str:
    """The document with the text between the markers replaced by `table`."""
    start, stop = document.index(BEGIN) + len(BEGIN), document.index(END)
    return document[:start] + table + document[stop:]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from backrooms_addon.core.spec import spec_table_markdown

    DOCUMENT.write_text(with_table(DOCUMENT.read_text(), spec_table_markdown()))
    print(f"wrote the spec table of {DOCUMENT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The parameter table of docs/ODD.md, generated from the metadata of the typed config (model/config.py).

    python -m model.params                     # print the Markdown table
    python -m model.params --check docs/ODD.md # exit 1, naming them, if the file lacks any parameter name
"""

from __future__ import annotations

import dataclasses
import re
import sys
from typing import Any

from model.config import Config

COLUMNS = ("name", "unit", "default", "valid range", "source or assumption", "uncertain")


def fmt(value: Any) -> str:
    """A compact rendering: floats as %g, dicts as {k: v, …}, lists as [a, b, …]."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {fmt(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    return str(value)


def valid_range(meta: dict) -> str:
    if meta["choices"]:
        return " | ".join(map(str, meta["choices"]))
    lo, hi = meta["range"]
    ends = ("-∞" if lo is None else fmt(lo), "∞" if hi is None else fmt(hi))
    return "—" if lo is None and hi is None else f"[{ends[0]}, {ends[1]}]"


def parameter_rows(node: Any = None, prefix: str = "") -> list[dict]:
    """One row per parameter of the (default) Config, walked recursively; defaults are the instance values."""
    node = Config() if node is None else node
    rows = []
    for f in dataclasses.fields(node):
        value, name = getattr(node, f.name), prefix + f.name
        if "unit" not in f.metadata:  # a nested section
            rows += parameter_rows(value, name + ".")
            continue
        meta = f.metadata
        rows.append({"name": name, "unit": meta["unit"], "default": fmt(value), "valid range": valid_range(meta),
                     "source or assumption": meta["source"], "uncertain": "yes" if meta["uncertain"] else "no"})
    return rows


def markdown_table() -> str:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    rows = [dict(r, name=f"`{r['name']}`") for r in parameter_rows()]
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    return "\n".join(lines + ["| " + " | ".join(cell(r[c]) for c in COLUMNS) + " |" for r in rows])


def missing_names(text: str) -> list[str]:
    """Dotted parameter names that do not occur in `text` as a whole name."""
    return [r["name"] for r in parameter_rows()
            if not re.search(r"(?<![\w.])" + re.escape(r["name"]) + r"(?![\w.])", text)]


def replace_table(text: str) -> str:
    """`text` with its parameter table (the block of lines from the header row) replaced by a fresh one."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| " + " | ".join(COLUMNS)))
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "\n".join(lines[:start] + markdown_table().splitlines() + lines[end:]) + "\n"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        with open(sys.argv[2], encoding="utf-8") as fh:
            text = replace_table(fh.read())
        with open(sys.argv[2], "w", encoding="utf-8") as fh:
            fh.write(text)
    elif len(sys.argv) == 3 and sys.argv[1] == "--check":
        with open(sys.argv[2], encoding="utf-8") as fh:
            missing = missing_names(fh.read())
        if missing:
            print(f"{sys.argv[2]} lacks {len(missing)} parameter(s): " + ", ".join(missing), file=sys.stderr)
            sys.exit(1)
        print(f"{sys.argv[2]}: all {len(parameter_rows())} parameters present")
    elif len(sys.argv) == 1:
        print(markdown_table())
    else:
        sys.exit("usage: python -m model.params [--check FILE | --write FILE]")

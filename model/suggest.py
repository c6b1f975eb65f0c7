"""'Did you mean …?' for misspelt keys and choice values: the closest names the schema or conf/ allows."""

from __future__ import annotations

import dataclasses
import difflib
import re

from model.config import MOVED, Config


def closest(word: str, names) -> str | None:
    """The allowed name closest to `word` (difflib ratio >= 0.6), or None."""
    found = difflib.get_close_matches(str(word), [str(n) for n in names], n=1, cutoff=0.6)
    return found[0] if found else None


def hint(word: str, names) -> str:
    """' — did you mean 'x'?' when a close name exists, else ''."""
    best = closest(word, names)
    return f" — did you mean {best!r}?" if best is not None and best != str(word) else ""


def moved(key: str) -> str:
    """' — did you mean 'new.key'? (moved there)' for a key that moved to another section (config.MOVED), else ''."""
    return f" — did you mean {MOVED[key]!r}? (moved there)" if key in MOVED else ""


def schema_names(path: str) -> list[str]:
    """Field names of the schema section at dotted `path` ('' for the top level); [] if it is not a section."""
    node: type = Config
    for part in [p for p in path.split(".") if p]:
        fields = {f.name: f for f in dataclasses.fields(node)}
        if part not in fields or fields[part].default_factory is dataclasses.MISSING:
            return []
        node = type(fields[part].default_factory())
        if not dataclasses.is_dataclass(node):
            return []
    return [f.name for f in dataclasses.fields(node)]


_OVERRIDE = re.compile(r"Could not override '([^']+)'\. To append to your config use \S+")
_OPTION = re.compile(r"Could not find '([^'/]+)/([^']+)' Available options in '[^']+': ([^:]*?) Config search path:.*")


def explain(message: str) -> str:
    """Hydra's composition error, reworded: an unknown key gets the closest schema key instead of Hydra's advice
    to add it with '+' (keys of dict parameters, e.g. phasing.rollout.<City>, from the schema's defaults); an
    unknown group option the closest option; the search-path dump is dropped."""
    m = _OVERRIDE.search(message)
    if m:  # name the first part of the key that does not exist, with the closest name at that level
        defaults, path = dataclasses.asdict(Config()), []
        for part in m.group(1).split("."):
            here = ".".join(path)
            names = schema_names(here) or _dict_keys(defaults, here)
            path.append(part)
            if part not in names:
                key = ".".join(path)
                return f"{key} is not a parameter{moved(key) or hint(part, names)}"
    m = _OPTION.search(message)
    if m:
        group, option, options = m.group(1), m.group(2), m.group(3).split()
        return f"{group}={option} is not an option of {group} (options: {', '.join(options)}){hint(option, options)}"
    old = next((key for key in MOVED if key in message), None)  # e.g. set in a config group's YAML
    return message + moved(old) if old else message


def _dict_keys(values: dict | None, path: str) -> list[str]:
    node = values or {}
    for part in [p for p in path.split(".") if p]:
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return list(node) if isinstance(node, dict) else []

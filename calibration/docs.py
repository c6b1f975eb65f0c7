"""Where the calibration, forecast and validation commands write, and the generated blocks of docs/calibration.md.

By default a command writes only into a fresh output folder (`outputs/<command>/<time>/`, or `--out DIR`): its
tables, charts, a Markdown fragment and (calibrate) the candidate calibration YAML. Only with `--write-docs` does
it also update tracked files of the project (ROOT): the generated blocks of docs/calibration.md (each command
replaces the text between its two markers), docs/img charts, and what else each command names. A stored forecast
is never overwritten: `new_file` claims a name nobody has used.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the project whose tracked files --write-docs updates
OUTPUTS = ROOT / "outputs"                      # untracked (.gitignore): default output folders live here
DOC = Path("docs") / "calibration.md"           # relative to ROOT


class OutputError(ValueError):
    """An output folder that cannot be used (one line for the command's error message)."""


def check_out(out: Path | None) -> None:
    """A given --out must be a new or empty folder: a command never overwrites files it did not just make."""
    if out is None:
        return
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise OutputError(f"--out {out}: not a new or empty folder (give another, or none for "
                          f"outputs/<command>/<time>/)")


def output_dir(out: Path | None, command: str, started: float) -> Path:
    """Create and return the folder to write into: `out`, or outputs/<command>/<start time>[_n]/ (never reused)."""
    if out is not None:
        check_out(out)
        out.mkdir(parents=True, exist_ok=True)
        return out
    stamp = time.strftime("%Y-%m-%d_%H-%M-%S", time.localtime(started))
    base = OUTPUTS / command
    base.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        path = base / (stamp if n == 1 else f"{stamp}_{n}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise OutputError(f"no free output folder under {base}")


def new_file(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    """Write `data` to folder/stem+suffix, or stem_2, stem_3, ... : the first name not taken (exclusive create,
    so an existing file is never overwritten, even by a concurrent run)."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        path = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}_{n}{suffix}")
        try:
            with path.open("xb") as fh:
                fh.write(data)
            return path
        except FileExistsError:
            continue
    raise OutputError(f"no free name for {stem}{suffix} in {folder}")


def copy_tracked(src: Path, rel: str | Path) -> Path:
    """Copy a file made in the output folder over the tracked file ROOT/rel (atomically); return the target."""
    dst = ROOT / rel
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)
    return dst


def replace_block(path: str | Path, name: str, body: str) -> None:
    """Put `body` between `<!-- name:begin -->` and `<!-- name:end -->` (appended if the markers are absent)."""
    path = Path(path)
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + ("\n\n" if text else "") + block + "\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_blocks(blocks: dict[str, str]) -> Path:
    """Replace the named generated blocks of ROOT/docs/calibration.md; return its path."""
    path = ROOT / DOC
    for name, body in blocks.items():
        replace_block(path, name, body)
    return path


def write_fragment(path: Path, title: str, blocks: dict[str, str]) -> Path:
    """The Markdown a command would put into docs/calibration.md, as a file of its own (markers included)."""
    parts = [f"# {title}"] + [f"<!-- {name}:begin -->\n{body.rstrip()}\n<!-- {name}:end -->"
                              for name, body in blocks.items()]
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


def report_written(paths: list[Path], out: Path) -> None:
    """Print, at the end of a command, every file it wrote."""
    print(f"\nwrote to {out}:")
    for p in paths:
        if p.parent == out:
            print(f"  {p.name}")
    tracked = [p for p in paths if p.parent != out]
    if tracked:
        print(f"updated in {ROOT} (--write-docs):")
        for p in tracked:
            print(f"  {p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}")
    else:
        print("no tracked file changed (--write-docs updates docs/calibration.md and the rest)")


def duration(seconds: float) -> str:
    """How long a run took, as its generated block says it: '42 s' or '4.5 min'."""
    return f"{seconds:.0f} s" if seconds < 60 else f"{seconds / 60:.1f} min"


def md_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows])

"""The study folder's run store: one parquet file per finished batch of runs, named by content.

Each run has a key: a hash of what decides its result (the model overrides, the factor settings, the replicate).
A batch's file is written to a temporary name and renamed when complete, so a kill leaves whole files only; a
re-run with the same folder reads the keys already there and runs only the others (also after the study's size
grew: a Sobol design of 2N starts with the one of N).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq


def run_key(base: tuple[str, ...], settings: dict, replicate: int) -> str:
    text = json.dumps([list(base), sorted((k, repr(v)) for k, v in settings.items()), int(replicate)])
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


class Store:
    def __init__(self, folder: Path):
        self.dir = Path(folder) / "runs"

    def files(self) -> list[Path]:
        return sorted(self.dir.glob("batch-*.parquet")) if self.dir.exists() else []

    def done_keys(self) -> set[str]:
        keys: set[str] = set()
        for f in self.files():
            keys.update(pq.read_table(f, columns=["key"]).column("key").to_pylist())
        return keys

    def write(self, rows: list[dict]) -> Path:
        """Write one finished batch (atomically: temporary name, then rename)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        name = f"batch-{time.time_ns()}-{os.getpid()}-{rows[0]['key'][:8]}.parquet"
        tmp = self.dir / f".{name}.tmp"
        pd.DataFrame(rows).to_parquet(tmp, index=False)
        os.replace(tmp, self.dir / name)
        return self.dir / name

    def frame(self, keys=None) -> pd.DataFrame:
        """Every stored run (the last copy of a key that is stored twice), or those with `keys`."""
        files = self.files()
        if not files:
            return pd.DataFrame(columns=["key"])
        data = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
        data = data.drop_duplicates("key", keep="last")
        return data if keys is None else data[data["key"].isin(set(keys))]

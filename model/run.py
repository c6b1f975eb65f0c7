"""Replicate seeding and the run to the horizon: one definition each, used by the model, the API and every command."""

from __future__ import annotations

import numpy as np

def replicate_seed(seed: int, replicate: int) -> np.random.SeedSequence:
    """The seed of replicate `replicate` of a run with `seed`: the replicate-th child of SeedSequence(seed)."""
    return np.random.SeedSequence(int(seed), spawn_key=(int(replicate),))


def replicate_seeds(seed: int, n: int, skip: int = 0) -> list[np.random.SeedSequence]:
    """Seeds of replicates skip .. skip+n-1 (prefix-stable: replicate r's seed does not depend on n)."""
    return [replicate_seed(seed, r) for r in range(skip, skip + n)]


def run_to_horizon(model, progress: bool = False, observer=None):
    """Step `model` to its horizon; `observer(model)` after each quarter; a quarter bar if `progress`."""
    from tqdm.auto import tqdm

    from agents.vocabulary import quarter_label

    with tqdm(total=model.n_quarters - 1 - model.quarter, desc="quarters", unit="q", leave=False,
              disable=not progress or None) as bar:
        while model.quarter < model.n_quarters - 1:
            model.step()
            if observer is not None:
                observer(model)
            bar.set_postfix_str(quarter_label(model.quarter))
            bar.update()
    return model

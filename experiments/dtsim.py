"""`dtsim`: run the model under a Hydra config, print the 2025 target scorecard, write the run's outputs.

    dtsim                                   # the plan as written, 2020Q1-2025Q4
    dtsim policy=none seed=3 world.fx=strong_usd policy.fund.annual_budget_cny=2e9
    dtsim replicates=20                     # 20 seeds spawned from seed: mean, 5-95 %, P(target met)
    dtsim -m experiment=fund_x_tax hydra/launcher=joblib   # a sweep; summary, charts and report at the end

A bad config value stops the run before anything is written, with one line naming the key; in a sweep every
job's config is checked before the first job starts. A sweep exits 1 if any job failed (the others are kept).
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from experiments.precheck import is_hydra_override, precheck, precheck_sweep
from model.api import CONF_DIR
from model.config import register
from model.validate import ConfigError

__all__ = ["CONF_DIR", "main", "precheck", "run"]
_MULTIRUN = ("-m", "--multirun")


@hydra.main(config_path=str(Path(CONF_DIR)), config_name="config", version_base="1.3")
def run(cfg: DictConfig) -> dict:
    from experiments.jobs import run_job

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    overrides = [o for o in OmegaConf.to_container(hc.overrides.task) if not is_hydra_override(o)]
    return run_job(cfg, Path(hc.runtime.output_dir), overrides=overrides, num=int(hc.job.num) if multirun else 0,
                   launcher=str(hc.launcher.get("_target_", "")).lower(), multirun=multirun)


def main() -> None:
    register()
    args = sys.argv[1:]
    multirun = any(a in _MULTIRUN for a in args)
    # overrides never start with '-': any other flag (--help, --cfg job, --info, ...) is Hydra's own business
    if not any(a.startswith("-") and a not in _MULTIRUN for a in args):
        try:
            if multirun:
                precheck_sweep([a for a in args if a not in _MULTIRUN])
            else:
                precheck(args)
        except ConfigError as exc:
            print(f"dtsim: config error: {exc}", file=sys.stderr)
            sys.exit(2)
    run()
    if multirun:
        from experiments.sweep import last_sweep_failed
        if last_sweep_failed():
            sys.exit(1)


if __name__ == "__main__":
    main()

"""`dtsim`: run the model under a Hydra config, print the 2025 target scorecard, write the run's outputs.

    dtsim                                   # the plan as written, 2020Q1-2025Q4
    dtsim policy=none seed=3 world.fx=strong_usd policy.fund.annual_budget_cny=2e9
    dtsim scale=1.0                         # one agent per real firm

A bad config value stops the run before anything is written, with one line naming the key.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from model.config import register
from model.validate import ConfigError, validate

CONF_DIR = str(Path(__file__).resolve().parent.parent / "conf")
_HYDRA_FLAGS = ("-m", "--multirun", "-h", "--help", "--hydra-help", "-c", "--cfg", "-i", "--info",
                "--shell-completion", "-sc", "-p", "--package", "-cp", "--config-path", "-cn", "--config-name",
                "-cd", "--config-dir", "--resolve", "--version")


def _one_line(exc: BaseException) -> str:
    """The message of an exception and of its causes, on one line."""
    parts = []
    while exc is not None:
        text = " ".join(str(exc).split()).split(" full_key:")[0]
        if text and "$VALUE" not in text and text not in parts:
            parts.append(text)
        exc = exc.__cause__ or exc.__context__
    return " — ".join(parts)


def precheck(overrides: list[str]) -> None:
    """Compose the config the run would use and validate it; raise ConfigError (one line) on any problem."""
    from hydra import compose, initialize_config_dir

    user = [o for o in overrides if not o.lstrip("+~").startswith("hydra")]
    try:
        with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
            cfg = compose(config_name="config", overrides=user)
    except Exception as exc:  # Hydra/OmegaConf raise several kinds; all mean "bad override"
        raise ConfigError(_one_line(exc)) from None
    validate(cfg)


@hydra.main(config_path=str(Path(CONF_DIR)), config_name="config", version_base="1.3")
def run(cfg: DictConfig) -> dict:
    from experiments.outputs import print_scorecard, simulate, write_outputs

    validate(cfg)
    model = simulate(cfg)
    out = Path(HydraConfig.get().runtime.output_dir)
    scorecard = write_outputs(model, cfg, out)
    print_scorecard(scorecard, model, out)
    return scorecard


def main() -> None:
    register()
    args = sys.argv[1:]
    if not any(a.split("=")[0] in _HYDRA_FLAGS for a in args):
        try:
            precheck(args)
        except ConfigError as exc:
            print(f"dtsim: config error: {exc}", file=sys.stderr)
            sys.exit(2)
    run()


if __name__ == "__main__":
    main()

"""Validate before anything runs: the config of a run, or every job of a sweep, composed as Hydra will compose it.

A typo or an out-of-range value in any combination of a sweep stops the command at once with one line naming
the value and the job, before the first job starts and before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from omegaconf import OmegaConf
from tqdm.auto import tqdm

from model.config import register
from model.validate import ConfigError, validate

CONF_DIR = str(Path(__file__).resolve().parent.parent / "conf")


def one_line(exc: BaseException) -> str:
    """The message of an exception and of its causes, on one line."""
    parts = []
    while exc is not None:
        text = " ".join(str(exc).split()).split(" full_key:")[0]
        if text and "$VALUE" not in text and text not in parts:
            parts.append(text)
        exc = exc.__cause__ or exc.__context__
    return " — ".join(parts)


def is_hydra_override(text: str) -> bool:
    return text.lstrip("+~").startswith("hydra")


def expand(params: Mapping[str, str], overrides: list[str], config_loader=None) -> list[list[str]]:
    """Each job's overrides, as Hydra's basic sweeper makes them: `hydra.sweeper.params` (e.g. from an experiment
    preset) first, then the command line (which wins for the same key); the product of all sweeps."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create(config_loader=config_loader)
    parsed = parser.parse_overrides([f"{k}={v}" for k, v in params.items()] + list(overrides))
    return BasicSweeper.split_arguments(parsed, None)[0]


def sweeper_params(config) -> dict:
    params = config.hydra.sweeper.get("params")
    return OmegaConf.to_container(params) if params else {}


def sweep_jobs(config) -> list[list[str]]:
    """The jobs of the multirun whose (master) config is `config`: its sweeper params and task overrides."""
    from hydra.core.global_hydra import GlobalHydra

    hydra = GlobalHydra.instance()  # its config loader expands glob() sweeps over config groups
    loader = hydra.config_loader() if hydra.is_initialized() else None
    return expand(sweeper_params(config), list(config.hydra.overrides.task), loader)


def precheck(overrides: list[str]) -> None:
    """Compose the config a run would use and validate it; raise ConfigError (one line) on any problem."""
    from hydra import compose, initialize_config_dir

    register()
    user = [o for o in overrides if not is_hydra_override(o)]
    try:
        with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
            cfg = compose(config_name="config", overrides=user)
    except Exception as exc:  # Hydra/OmegaConf raise several kinds; all mean "bad override"
        raise ConfigError(one_line(exc)) from None
    validate(cfg)


def precheck_sweep(overrides: list[str]) -> int:
    """Compose and validate every job of a sweep; return the number of jobs or raise ConfigError (one line)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.override_parser.overrides_parser import OverridesParser

    register()
    user = [o for o in overrides if not is_hydra_override(o)]
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        try:
            parsed = OverridesParser.create(config_loader=loader).parse_overrides(user)
            fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
            master = compose(config_name="config", overrides=fixed, return_hydra_config=True)
            jobs = expand(sweeper_params(master), user, loader)
        except Exception as exc:
            raise ConfigError(one_line(exc)) from None
        for num, job in enumerate(tqdm(jobs, desc="validating sweep", unit="job", leave=False,
                                       disable=len(jobs) < 50 or None)):
            try:
                validate(compose(config_name="config", overrides=job))
            except Exception as exc:
                raise ConfigError(f"{one_line(exc)} (sweep job {num}: {' '.join(job)})") from None
    return len(jobs)

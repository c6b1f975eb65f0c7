"""Validate before anything runs: the config of a run, or every job of a sweep, composed as Hydra will compose it.

A typo or an out-of-range value in any combination of a sweep stops the command at once with one line naming
the value and the job, before the first job starts and before anything is written. Configs are composed by
`model.api` (the one way in); the sweep's jobs are expanded as Hydra's basic sweeper expands them, with Hydra's
public override parser (tests/test_sweep.py checks the expansion against the jobs a real multirun starts).
"""

from __future__ import annotations

import itertools
from typing import Mapping

from omegaconf import OmegaConf, open_dict
from tqdm.auto import tqdm

from model.api import compose_raw, failing_override, hydra_loader, load_config, one_line
from model.validate import ConfigError, validate


def is_hydra_override(text: str) -> bool:
    return text.lstrip("+~").startswith("hydra")


def expand(params: Mapping[str, str], overrides: list[str]) -> list[list[str]]:
    """Each job's overrides, as Hydra's basic sweeper makes them: `hydra.sweeper.params` (e.g. from an experiment
    preset) first, then the command line (which wins for the same key, in the earlier one's place); the product
    of all sweeps, the last key varying fastest. glob() sweeps over config groups list conf/."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    with hydra_loader() as loader:
        parsed = OverridesParser.create(config_loader=loader).parse_overrides(
            [f"{k}={v}" for k, v in params.items()] + list(overrides))
        by_key: dict[str, list[str]] = {}
        for o in parsed:
            key = o.get_key_element()
            if not o.is_sweep_override():
                by_key[key] = [f"{key}={o.get_value_element_as_str()}"]
            elif o.is_discrete_sweep():
                by_key[key] = [f"{key}={v}" for v in o.sweep_string_iterator()]
                if not by_key[key]:
                    raise ConfigError(f"{o.input_line}: sweeps no values (an empty list, range() or glob())")
            else:
                raise ConfigError(f"{o.input_line}: only lists, range() and glob() can be swept here")
    return [list(job) for job in itertools.product(*by_key.values())]


def sweeper_params(config) -> dict:
    params = config.hydra.sweeper.get("params")
    return OmegaConf.to_container(params) if params else {}


def sweep_jobs(config) -> list[list[str]]:
    """The jobs of the multirun whose (master) config is `config`: its sweeper params and task overrides."""
    return expand(sweeper_params(config), list(config.hydra.overrides.task))


def _searchpath(overrides: list[str]) -> list[str]:
    return [o for o in overrides if o.lstrip("+~").partition("=")[0].strip() == "hydra.searchpath"]


def _load(user: list[str], searchpath: list[str]) -> None:
    """Validate the config of one run: load_config, or, with an added hydra.searchpath (whose config group
    options load_config cannot see), the same composition with that search path."""
    if not searchpath:
        load_config(*user)
        return
    try:
        cfg = compose_raw(tuple(user + searchpath), return_hydra_config=True)
    except Exception as exc:
        raise ConfigError(one_line(exc)) from None
    with open_dict(cfg):
        del cfg["hydra"]
    validate(cfg)


def _check_hydra(overrides: list[str]) -> None:
    """Hydra's own settings (hydra.run.dir=..., hydra/launcher=...) compose: a typo there would otherwise stop
    Hydra itself, in several lines, after the pre-check."""
    try:
        compose_raw(tuple(overrides), return_hydra_config=True)
    except Exception as exc:
        message = one_line(exc)
        culprit = failing_override(tuple(overrides), message)
        raise ConfigError(f"{culprit!r}: {message}" if culprit is not None else message) from None


def precheck(overrides: list[str]) -> None:
    """Compose the config a run would use and validate it; raise ConfigError (one line) on any problem."""
    user = [o for o in overrides if not is_hydra_override(o)]
    own = [o for o in overrides if is_hydra_override(o)]
    _load(user, _searchpath(own))
    if own:
        _check_hydra(list(overrides))


def precheck_sweep(overrides: list[str]) -> int:
    """Compose and validate every job of a sweep; return the number of jobs or raise ConfigError (one line)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    user = [o for o in overrides if not is_hydra_override(o)]
    own = [o for o in overrides if is_hydra_override(o)]
    try:
        parsed = OverridesParser.create().parse_overrides(user + own)
        fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    except Exception as exc:
        raise ConfigError(one_line(exc)) from None
    _check_hydra(fixed)  # the master config: Hydra's settings and every override that does not sweep
    try:
        master = compose_raw(tuple(fixed), return_hydra_config=True)
        jobs = expand(sweeper_params(master), user)
    except Exception as exc:
        raise ConfigError(one_line(exc)) from None
    if not jobs or any(not job for job in jobs) and len(jobs) > 1:
        raise ConfigError("the sweep has no jobs (an empty list of values?)")
    searchpath = _searchpath(own)
    for num, job in enumerate(tqdm(jobs, desc="validating sweep", unit="job", leave=False,
                                   disable=len(jobs) < 50 or None)):
        try:
            _load(job, searchpath)
        except ConfigError as exc:
            raise ConfigError(f"{exc} (sweep job {num}: {' '.join(job)})") from None
    return len(jobs)

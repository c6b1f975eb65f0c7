"""Compose the project's config exactly as `dtsim` does (conf/ with its defaults, calibration included), validate
it, and say what is wrong in one line. Used through `model.api`; `DigitalTradeModel()` calls `load_config()`.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from omegaconf import DictConfig

from model.config import register
from model.suggest import explain
from model.validate import ConfigError, validate

CONF_DIR = str(Path(__file__).resolve().parent.parent / "conf")


def one_line(exc: BaseException) -> str:
    """The message of an exception and of its causes, on one line (Hydra nests the useful part), led by the key
    OmegaConf names (`full_key`) when the text does not name it (a bad value inside a config group's YAML)."""
    parts, key = [], None
    while exc is not None:
        text = " ".join(str(exc).split()).split(" full_key:")[0]
        if text and text != "None" and "$VALUE" not in text and not any(text in p for p in parts):
            parts.append(text)
        key = key or getattr(exc, "full_key", None) or None
        exc = exc.__cause__ or exc.__context__
    message = " — ".join(parts) or "invalid override"
    return f"{key}: {message}" if key and str(key) not in message else message


def failing_override(overrides: tuple[str, ...], message: str) -> str | None:
    """The override a failed composition choked on, when its message names no override's key: the first one
    whose prefix of the command line fails to compose (only on this error path). None if the message names one."""
    if any(k and k in message for k in (o.lstrip("+~").partition("=")[0].strip() for o in overrides)):
        return None
    for n in range(1, len(overrides)):
        try:
            compose_raw(overrides[:n])
        except Exception:
            return overrides[n - 1]
    return overrides[-1] if overrides else None


@contextmanager
def hydra_loader():
    """Hydra initialised on conf/, yielding its config loader. Works inside a running Hydra app too: the app's
    global Hydra is set aside meanwhile and put back after."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register()
    gh = GlobalHydra.instance()
    running = gh.hydra if gh.is_initialized() else None
    gh.clear()
    try:
        with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
            yield gh.config_loader()
    finally:
        if running is not None:  # initialize_config_dir swaps the singleton object: ask for it anew
            GlobalHydra.instance().clear()
            GlobalHydra.instance().initialize(running)


def compose_raw(overrides: tuple[str, ...], return_hydra_config: bool = False) -> DictConfig:
    """Compose conf/config.yaml with `overrides` (not validated)."""
    from hydra import compose

    with hydra_loader():
        return compose(config_name="config", overrides=list(overrides), return_hydra_config=return_hydra_config)


@lru_cache(maxsize=256)
def _composed(overrides: tuple[str, ...]) -> DictConfig:
    try:
        cfg = compose_raw(overrides)
    except Exception as exc:  # Hydra/OmegaConf raise several kinds; all mean "bad override"
        message = explain(one_line(exc))
        culprit = failing_override(overrides, message)
        raise ConfigError(f"{culprit!r}: {message}" if culprit is not None else message) from None
    validate(cfg)
    return cfg


def load_config(*overrides: str) -> DictConfig:
    """The validated config `dtsim` runs with these overrides (conf/ defaults, calibration included).

    Raises ConfigError (one line naming the key) on a bad override or value. Each call returns a fresh copy."""
    return copy.deepcopy(_composed(tuple(str(o) for o in overrides)))

"""Compose the project's Hydra config (conf/) with overrides, outside a Hydra app, and validate it."""

from __future__ import annotations

from pathlib import Path

from hydra import compose as hydra_compose
from hydra import initialize_config_dir

from model.config import register
from model.validate import ConfigError, validate

CONF_DIR = str(Path(__file__).resolve().parent.parent / "conf")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()).split(" full_key:")[0]
    return text or type(exc).__name__


def compose(*overrides: str):
    """The validated config `dtsim` would run with these overrides; ConfigError (one line) if it is bad."""
    register()
    try:
        with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
            cfg = hydra_compose(config_name="config", overrides=list(overrides))
    except Exception as exc:  # Hydra/OmegaConf raise several kinds; all mean "bad override"
        raise ConfigError(_one_line(exc)) from None
    validate(cfg)
    return cfg

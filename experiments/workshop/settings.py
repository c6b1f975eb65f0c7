"""What the controls say, as Hydra overrides: the presets (plan, none and every conf/experiment/*.yaml with the
points of its sweep), the values changed from a preset, the seed and the scale -> a composed, validated config and
the same run as a one-line dtsim command. Configs are composed only by model.api.load_config (conf/, exactly as
`dtsim` composes them); the conf/ files are read here only to list presets and options and their comments."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from model.api import CONF_DIR, load_config, one_line
from model.policy import LEVERS
from model.validate import ConfigError

DEFAULT_SCALE = 0.05  # ~5,800 firm agents: a quarter takes a few tens of ms, so the page stays responsive
SCALES = (0.02, 0.05, 0.1, 0.25)
GROUPS = ("phasing", "world")  # controls that pick a config group rather than set a value
_COMPOSE = threading.Lock()  # Hydra's global state allows one composition at a time; sessions run in threads


def compose(*overrides: str) -> DictConfig:
    """The validated config of `dtsim <overrides>` (model.api.load_config: a fresh copy, yours to change), one
    composition at a time. Raises ConfigError (one line) on a bad override or value."""
    with _COMPOSE:
        return load_config(*overrides)


def presets(conf_dir: str = CONF_DIR) -> list[str]:
    """'plan', 'none', then each conf/experiment/*.yaml and each point of its sweep, as dtsim overrides.

    Listed when called (read from the files, never composed), so a new experiment file appears without a code
    change. An experiment's sweep (hydra.sweeper.params) is expanded into its points, e.g.
    'experiment=phasing_alternatives phasing=all_2020'. `conf_dir` lists another tree (tests); runs are always
    composed from conf/.
    """
    files = tuple((p.stem, p.stat().st_mtime) for p in sorted(Path(conf_dir, "experiment").glob("*.yaml")))
    return list(_presets(conf_dir, files))


@lru_cache(maxsize=16)
def _presets(conf_dir: str, files: tuple) -> tuple[str, ...]:
    found = ["plan", "none"]
    for stem, _ in files:
        base = f"experiment={stem}"
        found.append(base)
        try:
            found += [" ".join([base, *point]) for point in sweep_points(stem, conf_dir)]
        except ConfigError:
            pass  # the preset itself still shows, and selecting it shows the one-line error
    return tuple(found)


def sweep_points(experiment: str, conf_dir: str = CONF_DIR, limit: int = 64) -> list[tuple[str, ...]]:
    """The runs of an experiment's sweep (its file's hydra.sweeper.params) as override tuples; none if it has no
    sweep or more than `limit` runs. Read from the file, not composed, so listing presets stays instant."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        params = OmegaConf.select(OmegaConf.load(Path(conf_dir, "experiment", f"{experiment}.yaml")),
                                  "hydra.sweeper.params") or {}
        axes = []
        for key, value in params.items():
            override = OverridesParser.create().parse_overrides([f"{key}={value}"])[0]
            values = list(override.sweep_string_iterator()) if override.is_sweep_override() else \
                [override.get_value_element_as_str()]
            axes.append([f"{key}={_fmt_token(v)}" for v in values])
    except Exception as exc:  # a malformed file: list the experiment alone; selecting it shows the error
        raise ConfigError(one_line(exc)) from None
    points = list(itertools.product(*axes)) if axes else []
    return points if len(points) <= limit else []


def options(group: str) -> list[str]:
    return sorted(p.stem for p in Path(CONF_DIR, group).glob("*.yaml"))


@lru_cache(maxsize=256)
def _plain(overrides: tuple[str, ...]) -> dict:
    """A composed config as plain dicts (cached): looking values up in these is fast enough to do on every redraw."""
    return OmegaConf.to_container(compose(*overrides), resolve=True)


def _experiment_arg(name: str) -> tuple[str, ...]:
    """experiment=NAME if conf/config.yaml lists an experiment default, else +experiment=NAME (appended)."""
    defaults = OmegaConf.load(Path(CONF_DIR, "config.yaml")).get("defaults") or []
    listed = any(OmegaConf.is_dict(d) and "experiment" in d for d in defaults)
    return (f"experiment={name}",) if listed else (f"+experiment={name}",)


def preset_args(preset: str) -> tuple[str, ...]:
    """The overrides that select a preset (one of `presets()`)."""
    if preset in ("plan", "none"):
        return (f"policy={preset}",)
    if preset not in presets():
        raise ConfigError(f"preset={preset!r} is not plan, none or an experiment of {CONF_DIR}/experiment/ "
                          f"(or a point of its sweep)")
    first, *point = preset.split()
    return (*_experiment_arg(first.split("=", 1)[1]), *point)


def _key(override: str) -> str:
    return override.split("=", 1)[0].lstrip("+~")


def _fmt(value) -> str:
    """A value as a Hydra override writes it, compactly: 2e9, 0.03, true."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        text = next(t for t in (f"{value:.{p}g}" for p in range(1, 18)) if float(t) == value)
        return text.replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")
    return str(value)


def _fmt_token(text: str) -> str:
    """A sweep value as written compactly: Hydra hands back 1e9 as '1000000000.0'."""
    try:
        return _fmt(float(text)) if "." in text or "e" in text.lower() else text
    except ValueError:
        return text


def world_name(world: dict) -> str:
    """Which conf/world option a (plain) world section is — it has no name field — or 'custom'."""
    for name in options("world"):
        if _plain((f"world={name}",))["world"] == world:
            return name
    return "custom"


def describe(group: str, name: str) -> str:
    """The leading comment of conf/<group>/<name>.yaml: what the option is, in its author's words."""
    path = Path(CONF_DIR, group, f"{name}.yaml")
    if not path.is_file():
        return ""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if not line.startswith("# @package") and not line.lstrip("# ").startswith("dtsim "):
            lines.append(line.lstrip("# ").strip())
    return " ".join(lines)


@dataclass(frozen=True)
class Settings:
    """What the controls say: a preset, the values changed from it, the seed and the scale."""
    preset: str = "plan"
    seed: int = 0
    scale: float = DEFAULT_SCALE
    changes: tuple[tuple[str, object], ...] = ()  # (key, value) pairs that differ from the preset

    def base(self) -> dict:
        """The preset's config as plain dicts (before the changes, seed and scale)."""
        return _plain(preset_args(self.preset))

    def pick(self, preset: str) -> "Settings":
        """The preset chosen in the picker: every control it does not set goes back to the preset's value (the
        changes are dropped, also when it is the preset already chosen); the seed and the scale are kept."""
        return Settings(preset, self.seed, self.scale)

    def effective(self) -> dict:
        """The config this run composes to (preset, then changes), as plain dicts, without seed and scale."""
        return _plain(tuple(self.overrides()[:-2]))

    def value(self, key: str):
        """A control's value as the run will use it: composed from the preset and every change (so a world preset
        that sets the USD path shows that path); a group's name as chosen ('custom' for a world no preset matches)."""
        changed = dict(self.changes)
        if key in GROUPS and key in changed:
            return changed[key]
        found = self.effective()
        if key == "phasing":
            return found["phasing"]["name"]
        if key == "world":
            return world_name(found["world"])
        for part in key.split("."):
            found = found[part]
        return found

    def change(self, key: str, value) -> "Settings":
        """These settings with one control set; a value equal to what the run would use anyway is no change, and
        picking a group (a world preset) drops the changes made inside it (world.fx), so the preset shows as set."""
        rest = tuple((k, v) for k, v in self.changes if k != key and not (key in GROUPS and k.startswith(key + ".")))
        base_value = replace(self, changes=rest).value(key)
        return replace(self, changes=rest if value == base_value else (*rest, (key, value)))

    def label(self) -> str:
        """What runs, in the plan's terms: the effective settings that differ from the plan ('fund only',
        'plan, phasing=hangzhou_only', 'no plan'), read from the composed config, not from the preset's name."""
        return label_of(self.effective())

    def overrides(self) -> list[str]:
        changed = {k for k, _ in self.changes}  # a control changed by hand wins over the preset's own override
        args = [a for a in preset_args(self.preset) if a != "policy=plan" and _key(a) not in changed]
        if self.base()["replicates"] != 1:  # an experiment's replicates are for sweeps; the app runs one seed
            args.append("replicates=1")
        groups = [f"{k}={v}" for k, v in self.changes if k in GROUPS]
        values = [f"{k}={_fmt(v)}" for k, v in self.changes if k not in GROUPS]
        return [*args, *groups, *values, f"seed={self.seed}", f"scale={_fmt(float(self.scale))}"]

    def command(self, replicates: int | None = None) -> str:
        """The same run as a one-line dtsim command; with `replicates`, the ensemble of that many replicates of
        its seed (replicate 0 is the run itself)."""
        args = self.overrides()
        if replicates is not None:
            args = [a for a in args if not a.startswith("replicates=")]
            args.insert(len(args) - 2, f"replicates={int(replicates)}")
        return " ".join(["dtsim", *args])

    def config(self) -> DictConfig:
        """The composed and validated config of this run (raises ConfigError, one line, on a bad value)."""
        try:
            seed = int(self.seed)
        except (TypeError, ValueError):
            raise ConfigError(f"seed={self.seed!r} is not an integer") from None
        return compose(*replace(self, seed=seed).overrides())


IGNORED = ("seed", "scale", "replicates", "workers", "chart", "progress", "hydra")  # how a run is made, not what


def _leaves(node, prefix: str = "") -> dict:
    if isinstance(node, dict):
        return {k: v for key, value in node.items() for k, v in _leaves(value, f"{prefix}{key}.").items()}
    return {prefix.rstrip("."): node}


def label_of(found: dict) -> str:
    """The plain label of a composed config (plain dicts): which lever families act ('plan', 'no plan', 'fund only',
    'fund + tax only', 'plan without cbec'), then every other value that differs from the plan's, as the override
    that would set it ('phasing=hangzhou_only', 'world.fx=strong_usd', 'policy.fund.annual_budget_cny=3e9');
    parameters of lever families that are off are not listed (they do nothing)."""
    plan = _plain(())
    on = [f for f in LEVERS if f in found["policy"] and found["policy"][f]["enabled"]]
    off = [f for f in LEVERS if f in found["policy"] and f not in on]
    if not off:
        head = "plan"
    elif not on:
        head = "no plan"
    elif len(on) <= len(off):
        head = " + ".join(on) + " only"
    else:
        head = "plan without " + ", ".join(off)
    mine, theirs = _leaves(found), _leaves(plan)
    differ = {k: v for k, v in mine.items() if k.split(".")[0] not in IGNORED and v != theirs.get(k, object())}
    parts, named = [], {"policy.name", "phasing.name"}
    if found["phasing"]["name"] != plan["phasing"]["name"]:  # a phasing preset: its name says it
        parts.append(f"phasing={found['phasing']['name']}")
        named |= {k for k in differ if k.startswith("phasing.")}
    world = world_name(found["world"])
    in_world = [k for k in differ if k.startswith("world.")]
    if world != "custom" and len(in_world) > 2:  # a world preset that changes many values: its name
        parts.append(f"world={world}")
        named |= set(in_world)
    for key, value in differ.items():
        first, *rest = key.split(".")
        if key in named:
            continue
        if first == "policy" and (rest[0] not in on or rest[-1] == "enabled"):
            continue  # a family that is off, or whose switch the head already says
        parts.append(f"{key}={_fmt(value)}")
    return ", ".join([head, *parts])


def preset_groups(conf_dir: str = CONF_DIR) -> list[tuple[str, list[tuple[str, str]]]]:
    """The presets for the picker: (group title, [(preset, its name in plain words)]). First the plan and no plan,
    then one group per conf/experiment/ file (title: its name in words), each point of its sweep named by what it
    sets (experiments.labels.setting: 'zone roll-out: Hangzhou only'); an experiment without a sweep is its own
    entry. Read from the files, so a new experiment appears without a code change."""
    from experiments.labels import setting, words

    groups = [("Start here", [("plan", "the plan as written"), ("none", "no plan (all levers off)")])]
    for preset in presets(conf_dir)[2:]:
        first, *point = preset.split()
        stem = first.split("=", 1)[1]
        title = words(stem).capitalize()
        if not groups or groups[-1][0] != title:
            groups.append((title, []))
        if point:
            groups[-1][1].append((preset, "; ".join(setting(*_split(p)) for p in point)))
        elif not any(p.startswith(first + " ") for p in presets(conf_dir)):
            groups[-1][1].append((preset, f"{words(stem)} as its file sets it"))
    return [g for g in groups if g[1]]


def _split(override: str) -> tuple[str, object]:
    key, value = override.split("=", 1)
    try:
        return key, float(value) if any(c in value for c in ".e") or value.isdigit() else value
    except ValueError:
        return key, value

"""`dtsim-explore`: policy analysis as a Hydra app over the model's config (conf/), its settings in the config
group conf/explore/ (presets hold only their changes to base.yaml). docs/explore.md.

    dtsim-explore explore=sobol_plan explore.samples=64 scale=0.05
    dtsim-explore explore=prim_targets explore.dir=outputs/explore/prim   # the same folder again resumes it
    dtsim-explore explore=pareto_budget world=weak_demand explore.n_jobs=2  # model overrides as in dtsim
    dtsim-explore explore=sobol_plan explore.ranges.world.digital_shift=[0,0.08]  # a factor's own range

`explore=<preset>` and `explore.<setting>=...` are the study's (Hydra composes the preset, a primary config of
conf/explore/, with them); every other override is the model's: the Hydra app composes conf/config.yaml with them,
as `dtsim` does, and writes it to the study folder's .hydra/. A bad value stops the command before anything is
written, with one line, exit 2.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from experiments.precheck import is_hydra_override, precheck as precheck_model
from model.api import CONF_DIR, hydra_loader, one_line
from model.config import register
from model.suggest import hint
from model.validate import ConfigError

PROG = "dtsim-explore"
DEFAULT_PRESET = "sobol_plan"
_state: dict = {}


def is_explore(arg: str) -> bool:
    return arg.lstrip("+~").startswith(("explore=", "explore."))


def split(args: list[str]) -> tuple[str, list[str], list[str]]:
    """(preset, explore.* overrides, model overrides) of a command line."""
    preset = DEFAULT_PRESET
    settings, model = [], []
    for a in args:
        if a.lstrip("+").startswith("explore="):
            preset = a.split("=", 1)[1]
        elif a.startswith("explore.ranges."):  # a factor's range: a key the preset may not have yet
            settings.append("++" + a)
        elif is_explore(a):
            settings.append(a)
        else:
            model.append(a)
    return preset, settings, model


def presets() -> list[str]:
    return sorted(p.stem for p in (Path(CONF_DIR) / "explore").glob("*.yaml"))


def compose_settings(preset: str, settings: list[str]) -> DictConfig:
    """The study's settings: Hydra composes the preset of conf/explore/ (a primary config of its own: the model's
    root is a typed schema without an `explore` key) with the command line's explore.* overrides."""
    from hydra import compose

    if preset not in presets():
        raise ConfigError(f"explore={preset} is not an option of explore (options: {', '.join(presets())})"
                          f"{hint(preset, presets())}")
    with hydra_loader():
        try:
            known = compose(config_name=f"explore/{preset}").explore
        except Exception as exc:
            raise ConfigError(f"explore={preset}: {one_line(exc)}") from None
        for a in settings:
            key = a.split("=", 1)[0]
            if not key.startswith("+") and OmegaConf.select(known, key[len("explore."):], default=KeyError) is KeyError:
                parent = key[len("explore."):].rpartition(".")[0]
                names = list((OmegaConf.select(known, parent) if parent else known) or {})
                raise ConfigError(f"{key} is not a setting of explore{hint(key.rpartition('.')[2], names)}")
        try:
            return compose(config_name=f"explore/{preset}", overrides=settings).explore
        except Exception as exc:
            raise ConfigError(one_line(exc)) from None


def precheck(args: list[str]):
    """Everything a study needs, checked before anything is written: settings, model overrides, factors."""
    from experiments.explore.study import check, resolved
    from model.api import load_config

    preset, settings, model = split(args)
    explore = compose_settings(preset, settings)
    precheck_model(model)
    cfg = load_config(*[m for m in model if not is_hydra_override(m)])
    check(resolved(explore, cfg), cfg)
    return preset, settings, model, explore


def summary(kind: str, results: dict) -> list[str]:
    if kind == "sobol" and not results["sensitivity"].empty:
        from experiments.explore.sobol import top
        return [f"{o} top factors by ST: " + ", ".join(f"{r.factor} {r.ST:.2f}±{r.ST_conf:.2f}"
                                                    for r in top(results["sensitivity"], o, 3).itertuples())
                for o in ("T1", "T2") if o in set(results["sensitivity"]["outcome"])]
    if kind == "prim":
        b = results["boxes"].drop_duplicates("case")
        return [f"{r.case} missed in {r.misses}/{r.points}: box coverage {r.coverage:.2f}, density {r.density:.2f}"
                for r in b.itertuples() if r.box == r.box and r.box is not None]
    if kind == "cost":
        t = results["cost"][results["cost"]["level"] == 1.0]
        return [f"{r.family}: {r.usd_per_cny:.3g} USD of T1 per CNY [{r.lo:.3g}, {r.hi:.3g}]" for r in t.itertuples()]
    if kind == "pareto":
        k = results["trials"][results["trials"]["knee"]].iloc[0]
        return [f"knee: trial {int(k['trial'])}, CNY {k['cost'] / 1e9:.3g} bn, P(all) {k['p_all']:.2f}"]
    return []


@hydra.main(config_path=str(Path(CONF_DIR)), config_name="config", version_base="1.3")
def app(cfg: DictConfig) -> None:
    from experiments.explore import report
    from experiments.explore.study import Study

    hc = HydraConfig.get()
    task = [o for o in OmegaConf.to_container(hc.overrides.task) if not is_explore(o) and not is_hydra_override(o)]
    folder = Path(hc.runtime.output_dir)
    explore = _state["explore"]
    study = Study(explore, tuple(task), folder)
    OmegaConf.save(study.settings, folder / "explore.yaml")
    print(f"{PROG}: {explore.name} ({explore.kind}) into {folder}", flush=True)
    try:
        results = study.run()
    except KeyboardInterrupt:
        _state["interrupted"] = folder
        return
    tic = time.perf_counter()
    analysis = results["seconds_runs"] - study.stats["wall_s"]
    drawn = draw(study, results) if explore.charts else []
    report.write(study, results, _state.get("command", PROG), drawn)
    for line in summary(study.settings.kind, results):
        print(line)
    print(f"{study.stats['runs']} runs ({study.stats['computed']} new) in {study.stats['wall_s']:.1f} s; "
          f"analysis, charts and report {analysis + time.perf_counter() - tic:.1f} s; "
          f"report: {folder / 'report.md'}")


def draw(study, results: dict) -> list[str]:
    from experiments.explore import charts

    kind, folder = study.settings.kind, study.folder
    if kind == "sobol":
        return charts.sobol_bars(results["sensitivity"], folder)
    if kind == "morris":
        return charts.morris_scatter(results["sensitivity"], folder)
    if kind == "prim":
        return charts.prim_charts(results["boxes"], results["trajectory"], folder)
    if kind == "cost":
        return charts.cost_curves(results["cost"], folder)
    return charts.pareto_front(results["trials"], str(study.settings.pareto.objective), folder)


def main(argv: list[str] | None = None) -> None:
    register()
    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-m", "--multirun") for a in args):
        print(f"{PROG}: config error: -m: a study is one command (its design is the sweep); run one per setting",
              file=sys.stderr)
        sys.exit(2)
    if any(a.startswith("-") for a in args):  # --help, --cfg job, ...: Hydra's business
        sys.argv = [PROG, *[a for a in args if not is_explore(a)], f"hydra.job.name={PROG}"]
        app()
        return
    try:
        preset, settings, model, explore = precheck(args)
    except ConfigError as exc:
        print(f"{PROG}: config error: {exc}", file=sys.stderr)
        sys.exit(2)
    folder = explore.dir or f"outputs/explore/{explore.name}/{time.strftime('%Y-%m-%d_%H-%M-%S')}"
    _state.update(command=" ".join([PROG, *args]), interrupted=None, explore=explore)
    sys.argv = [PROG, *model, f"hydra.run.dir={folder}", f"hydra.job.name={PROG}"]
    app()
    if _state.get("interrupted"):
        print(f"{PROG}: interrupted; finished runs are kept in {folder}: run the same command with "
              f"explore.dir={folder} to go on", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()

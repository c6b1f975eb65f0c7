"""The workshop app (Solara): move the plan's levers, press Step or Play, watch the targets.

Served by `dtsim-workshop` (see cli.py). Every browser session builds its own WorkshopRun inside `Page`, never at
module level (a module-level model would be shared by all sessions). Mesa's SolaraViz is not used: its Reset
rebuilds a model from keyword arguments of independent sliders, so a preset cannot move the sliders and a Hydra
config cannot be the model's input; the Step/Play/Reset pattern below is the same, in plain Solara.
"""

from __future__ import annotations

import threading
import time

import markdown
import solara
from matplotlib.figure import Figure

from experiments.workshop import panels, views
from experiments.workshop.levers import FAMILIES, Control
from experiments.workshop.session import WorkshopRun, counterfactual
from experiments.workshop.settings import SCALES, Settings, options, presets
from model.validate import ConfigError

PAUSE_S = 0.15  # between quarters while playing, so the page keeps up
CSS = """
.dt-chart img { max-width: 100%; height: auto; }
.dt-text table { border-collapse: collapse; margin-bottom: 8px; }
.dt-text th, .dt-text td { padding: 3px 8px; border-bottom: 1px solid #ddd; text-align: left; }
.dt-text code { font-size: 90%; }
.dt-text strong { font-weight: 700; }
.dt-quarter { font-size: 120%; font-weight: 700; }
"""


def _warm() -> None:  # compose the presets and run the default counterfactual, so the first visitor need not wait
    try:
        presets()
        counterfactual(Settings().config())
    except Exception:  # a broken preset shows in the page; never stop the server here
        pass


threading.Thread(target=_warm, daemon=True).start()


@solara.component
def LeverControl(control: Control, settings: solara.Reactive[Settings]):
    value = settings.value.value(control.key)

    def set_value(shown):
        settings.set(settings.value.change(control.key, control.stored(shown)))

    if control.kind == "switch":
        solara.Switch(label=control.label, value=bool(value), on_value=set_value)
    elif control.kind == "select":
        solara.Select(control.label, values=list(control.options), value=value, on_value=set_value)
    else:  # the label carries the value: a Vuetify slider shows it only while dragged
        solara.SliderFloat(control.describe(value), value=control.shown(value), min=control.lo, max=control.hi,
                           step=control.step, on_value=set_value)


@solara.component
def ScenarioControls(settings: solara.Reactive[Settings]):
    s = settings.value

    def pick(key):
        return lambda v: settings.set(s.change(key, v))

    solara.Select("preset", values=presets(), value=s.preset,
                  on_value=lambda v: settings.set(Settings(v, s.seed, s.scale)))
    solara.Select("phasing", values=options("phasing"), value=s.value("phasing"), on_value=pick("phasing"))
    world = s.value("world")
    solara.Select("world preset", values=sorted({*options("world"), world}), value=world,
                  on_value=lambda v: v != "custom" and settings.set(s.change("world", v)))
    solara.Select("world.fx (USD path)", values=list(s.base()["world"]["fx_scenarios"]), value=s.value("world.fx"),
                  on_value=pick("world.fx"))
    with solara.Row():
        solara.InputInt("seed", value=s.seed, on_value=lambda v: settings.set(Settings(
            s.preset, v, s.scale, s.changes)))
        solara.Select("scale", values=[str(x) for x in SCALES], value=str(s.scale),
                      on_value=lambda v: settings.set(Settings(s.preset, s.seed, float(v), s.changes)))


@solara.component
def Text(md: str, name: str):
    """Markdown rendered here (solara.Markdown would fetch KaTeX from a CDN the workshop room may not reach)."""
    solara.HTML(unsafe_innerHTML=markdown.markdown(md, extensions=["tables"]), classes=["dt-text", name])


@solara.component
def Chart(build, run: WorkshopRun, key, name: str):
    """A figure rebuilt only when `key` changes (the figure is drawn under the run's lock: Play steps in a thread)."""
    def make() -> Figure:
        with run.lock:
            return build(run)
    fig = solara.use_memo(make, [run.id, key])
    with solara.Column(classes=["dt-chart", name]):
        solara.FigureMatplotlib(fig, dependencies=[run.id, key], format="png")


@solara.component
def Network(run: WorkshopRun):
    sample = solara.use_memo(lambda: views.NetworkSample(run.model, seed=int(run.cfg.seed)), [run.id])
    year = (run.quarter + 1) // 4  # redrawn once a simulated year: the heaviest view

    def build(r):
        return views.network_figure(r, sample)[0]
    Chart(build, run, year, "dt-network")


@solara.component
def RunCard(run: solara.Reactive, quarter: solara.Reactive, playing: solara.Reactive, looping: solara.Reactive,
            every: solara.Reactive, settings: solara.Reactive, error: solara.Reactive, reset, advance):
    """Reset / Step / +1 year / Play and the run's state; re-rendered after each step (the levers are not).

    After Pause, Play stays disabled until the playing loop has stopped (its last quarter shown); while a loop runs
    the quarter label has the class dt-playing (the browser test waits on it)."""
    r, busy, stopping = run.value, playing.value, looping.value and not playing.value
    quarter.value  # noqa: B018 — subscribe: the label and the buttons follow the quarter
    with solara.Card("Run", margin=0):
        with solara.Row():
            solara.Button("Reset", on_click=reset, color="primary", classes=["dt-reset"])
            solara.Button("Step", on_click=lambda: advance(1), disabled=busy or r.done, classes=["dt-step"])
            solara.Button("+1 year", on_click=lambda: advance(4), disabled=busy or r.done, classes=["dt-year"])
            solara.Button("Pause" if busy else "Play", on_click=lambda: playing.set(not busy),
                          disabled=(r.done or stopping) and not busy, color="primary", classes=["dt-play"])
        solara.Select("redraw every (quarters) while playing", values=[1, 2, 4], value=every)
        solara.Text(f"quarter: {r.label}", classes=["dt-quarter", *(["dt-playing"] if looping.value else [])])
        if settings.value != r.settings:
            solara.Warning(f"Controls changed: Reset starts {settings.value.command()}", dense=True,
                           classes=["dt-pending"])
        if error.value:
            solara.Error(error.value, dense=True, classes=["dt-error"])


@solara.component
def Views(run: WorkshopRun, quarter: solara.Reactive):
    q = quarter.value
    solara.Style(CSS)
    with solara.Column(style={"padding": "8px"}):
        Text(f"**{run.label}** · {run.model.firms.n:,} firm agents (scale {run.cfg.scale:g}) · the same run from "
             f"the command line: `{run.settings.command()}`", "dt-status")
        with solara.Columns([5, 4]):
            Chart(views.trade_figure, run, q, "dt-trade-chart")
            Text(panels.scorecard_md(run), "dt-scorecard")
        with solara.Columns([5, 4]):
            Chart(views.city_kind_figure, run, q, "dt-city-chart")
            Text("**What the active levers do in the model**\n\n" + panels.explain_md(run), "dt-explain")
        with solara.Details("Network: a sample of firms, platforms and cloud providers (redrawn once a year)",
                            expand=True):
            Network(run)


@solara.component
def Page():
    settings = solara.use_reactive(Settings())
    run = solara.use_reactive(solara.use_memo(lambda: WorkshopRun(Settings()), []))  # this session's own model
    quarter = solara.use_reactive(run.value.quarter)  # set after each step: re-renders RunCard and Views only
    playing = solara.use_reactive(False)
    looping = solara.use_reactive(False)  # a play loop is running (it stops itself after Pause, within a quarter)
    every = solara.use_reactive(1)
    error = solara.use_reactive("")

    def advance(quarters: int, current: WorkshopRun | None = None) -> None:
        current = current or run.value
        current.step(quarters)
        if current is run.value:  # not a run that Reset has just replaced
            quarter.set(current.quarter)

    def reset() -> None:
        playing.set(False)
        try:
            run.set(WorkshopRun(settings.value))
            error.set("")
            quarter.set(run.value.quarter)
        except ConfigError as exc:
            error.set(f"config error: {exc}")

    def play_loop() -> None:
        if not playing.value:
            return  # Pause (or Reset): the loop that was playing sees it and stops
        current = run.value  # plays this run only: after Reset it stops, never stepping the new run
        looping.set(True)
        try:
            while playing.value and run.value is current and not current.done:
                start = time.perf_counter()
                advance(every.value, current)
                time.sleep(max(PAUSE_S - (time.perf_counter() - start), 0.0))
        finally:
            playing.set(False)
            looping.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    solara.Title("dtsim workshop")
    with solara.AppBar():
        solara.AppBarTitle("dtsim workshop — Zhejiang Digital Trade Pioneer Demonstration Zone")
    with solara.Sidebar():
        RunCard(run, quarter, playing, looping, every, settings, error, reset, advance)
        ScenarioControls(settings)
        for family, (title, controls, _) in FAMILIES.items():
            with solara.Details(title):
                for control in controls:
                    LeverControl(control, settings)
    Views(run.value, quarter)

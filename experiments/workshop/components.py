"""The workshop page's parts (Solara components): the controls panel (presets, scenario, lever families), the run
bar and the pins, the charts and text panels that follow the quarter and the ensemble, and the four views. The
session's state and the server's classroom live in app.py, which puts these together; no model code here."""

from __future__ import annotations

import logging

import markdown
import solara

from experiments.workshop import monitor, panels, views
from experiments.workshop.levers import Control
from experiments.workshop.session import MAX_PINS, WorkshopRun
from experiments.workshop.settings import Settings, options, preset_args, preset_groups

log = logging.getLogger("dtsim.workshop")
VIEWS = ("Targets", "Exchange rate", "Index & phasing", "Network")
CSS = """
body, .v-application { font-size: 16px; }
.v-application .dt-header { background: #1565c0; color: white; display: flex; align-items: center; gap: 12px;
  padding: 6px 12px; }
.dt-header .dt-title { font-size: 20px; font-weight: 500; }
.dt-shell { display: grid; grid-template-columns: 340px minmax(0, 1fr); align-items: start; }
.dt-shell.dt-folded { grid-template-columns: minmax(0, 1fr); }
.dt-panel { position: sticky; top: 0; max-height: 100vh; overflow-y: auto; padding: 8px 12px;
  border-right: 1px solid #ddd; background: #fafafa; }
.dt-main { padding: 0 16px 24px 16px; min-width: 0; }
.dt-runbar { position: sticky; top: 0; z-index: 4; background: white; padding: 8px 0; border-bottom: 1px solid #ddd;
  display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.dt-text { font-size: 16px; overflow-wrap: break-word; }
.dt-text table { border-collapse: collapse; margin-bottom: 8px; width: 100%; }
.dt-text th, .dt-text td { padding: 4px 6px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
.dt-text code { font-size: 90%; overflow-wrap: anywhere; }
.dt-text strong { font-weight: 700; }
.dt-quarter { font-size: 120%; font-weight: 700; }
.dt-chart { width: 100%; min-width: 0; }
.dt-control-label { font-size: 15px; margin-top: 6px; }
.dt-control .v-input__slot { margin-bottom: 0; }
.dt-group-title, .dt-family-title { font-size: 15px !important; }
.dt-preset { text-transform: none !important; font-size: 15px !important; justify-content: flex-start !important;
  white-space: normal !important; height: auto !important; min-height: 32px; text-align: left; }
.dt-preset .v-btn__content { white-space: normal; flex: 1 1 auto; }
.dt-pins { display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0; }
.dt-pin { border: 2px solid; border-radius: 6px; padding: 2px 4px 2px 10px; display: flex; align-items: center;
  gap: 6px; font-size: 15px; }
"""


@solara.component
def Text(md: str, name: str):
    """Markdown rendered here (solara.Markdown would fetch KaTeX from a CDN the workshop room may not reach)."""
    html = solara.use_memo(lambda: markdown.markdown(md, extensions=["tables"]), [md])
    solara.HTML(unsafe_innerHTML=html, classes=["dt-text", name])


@solara.component
def LeverControl(control: Control, settings: solara.Reactive[Settings], update):
    value = settings.value.value(control.key)

    def set_value(shown):
        update(settings.value.change(control.key, control.stored(shown)))

    with solara.Column(gap="0px", classes=["dt-control"]):
        if control.kind == "switch":
            with solara.Tooltip(control.help):
                solara.Switch(label=control.label, value=bool(value), on_value=set_value)
        elif control.kind == "select":
            with solara.Tooltip(control.help):
                solara.Select(control.label, values=list(control.options), value=value, on_value=set_value)
        else:  # the label above, on its own line: a long label never squeezes the slider
            with solara.Tooltip(control.help):
                solara.Text(control.describe(value), classes=["dt-control-label"])
            solara.SliderFloat("", value=control.shown(value), min=control.lo, max=control.hi, step=control.step,
                               on_value=set_value)


@solara.component
def Fold(title: str, classes: list[str], children_fn, start_open: bool = False):
    """A titled section whose contents exist only while it is open (a smaller page to re-render)."""
    is_open = solara.use_reactive(start_open)
    with solara.Column(gap="0px"):
        solara.Button(title, icon_name="mdi-chevron-up" if is_open.value else "mdi-chevron-down", text=True,
                      on_click=lambda: is_open.set(not is_open.value),
                      style={"justify-content": "flex-start", "text-transform": "none"}, classes=classes)
        if is_open.value:
            with solara.Column(style={"padding": "0 8px 0 12px"}, gap="2px"):
                children_fn()


@solara.component
def Family(title: str, controls: list[Control], settings: solara.Reactive[Settings], update):
    def body():
        for control in controls:
            LeverControl(control, settings, update)
    Fold(title, ["dt-family-title"], body)


@solara.component
def PresetPicker(settings: solara.Reactive[Settings], update):
    """The presets grouped and in plain words, the dtsim overrides as each one's tooltip. Picking one resets every
    control it does not set (seed and scale are kept), also when it is the preset already chosen."""
    s = settings.value
    groups = solara.use_memo(preset_groups, [])
    names = {preset: name for _, items in groups for preset, name in items}
    Text(f"**Preset**: {names.get(s.preset, s.preset)}" + (" (changed below)" if s.changes else ""), "dt-preset-now")
    for i, (title, items) in enumerate(groups):
        def body(items=items):
            for preset, name in items:
                with solara.Tooltip(" ".join(["dtsim", *preset_args(preset)])):
                    solara.Button(name, text=True, classes=["dt-preset"],
                                  on_click=lambda preset=preset: update(s.pick(preset)))
        Fold(title, ["dt-group-title"], body, start_open=i == 0)


@solara.component
def ScenarioControls(settings: solara.Reactive[Settings], update, scales: list[float]):
    s = settings.value

    def pick(key):
        return lambda v: update(s.change(key, v))

    solara.Select("phasing", values=options("phasing"), value=s.value("phasing"), on_value=pick("phasing"))
    world = s.value("world")
    solara.Select("world preset", values=sorted({*options("world"), world}), value=world,
                  on_value=lambda v: v != "custom" and update(s.change("world", v)))
    solara.Select("USD path (world.fx, as used)", values=list(s.effective()["world"]["fx_scenarios"]),
                  value=s.value("world.fx"), on_value=pick("world.fx"))
    with solara.Row():
        solara.InputInt("seed", value=s.seed, on_value=lambda v: update(Settings(s.preset, v, s.scale, s.changes)))
        scales = [str(x) for x in scales]
        solara.Select("scale", values=scales, value=str(s.scale) if str(s.scale) in scales else scales[-1],
                      on_value=lambda v: update(Settings(s.preset, s.seed, float(v), s.changes)))


@solara.component
def Chart(build, run: WorkshopRun, quarter: solara.Reactive, name: str, height: int, every: int = 1,
          also: tuple = ()):
    """An ECharts figure whose option is rebuilt when the quarter (divided by `every`) or `also` changes, under the
    run's lock (Play steps in a thread); the participant's browser draws it. A failing build shows its error in
    this chart only. Only the components that read `quarter` re-render after a step."""
    key = (quarter.value + 1) // every

    def make() -> dict:
        try:
            with run.lock:
                if run.model is None:
                    return {}
                return build(run)
        except Exception as exc:
            log.exception("chart %s failed", name)
            return {"title": {"text": f"this chart failed: {type(exc).__name__}: {exc}"[:200],
                              "textStyle": {"fontSize": views.FONT, "color": "#b00020"}}}
    option = solara.use_memo(make, [run.id, key, *also])
    with solara.Column(classes=["dt-chart", name]):
        solara.FigureEcharts(option=option, attributes={"style": f"height: {height}px; width: 100%;"},
                             responsive=True)


@solara.component
def LiveText(make, run: WorkshopRun, quarter: solara.Reactive, name: str, also: tuple = ()):
    """Markdown made from the run after each step (under the run's lock), or when `also` changes."""
    q = quarter.value

    def text() -> str:
        with run.lock:
            return make(run) if run.model is not None else ""
    Text(solara.use_memo(text, [run.id, q, *also]), name)


def _pins(pins: tuple) -> tuple:
    return tuple((p.name, p.summary()) for p in pins)


@solara.component
def TargetsView(run: WorkshopRun, quarter: solara.Reactive, summary, pins: tuple, version: int, error: str,
                members: int):
    explain = solara.use_memo(lambda: panels.explain_md(run), [run.id])
    pinned_summaries = _pins(pins)
    Chart(lambda r: views.trade_option(r, summary, pinned_summaries), run, quarter, "dt-trade-chart",
          views.HEIGHTS["trade"], also=(version, pins))
    LiveText(lambda r: panels.ensemble_md(r, summary, pinned_summaries, members, error)
             if members else "*Ensemble off (dtsim-workshop --ensemble 0): one draw only.*", run, quarter,
             "dt-ensemble", also=(version, pins, error))
    LiveText(panels.scorecard_md, run, quarter, "dt-scorecard")
    Chart(views.city_kind_option, run, quarter, "dt-city-chart", views.HEIGHTS["city"])
    Text("**What the active levers do in the model**\n\n" + explain, "dt-explain")


@solara.component
def FxView(run: WorkshopRun, quarter: solara.Reactive, pins: tuple, version: int):
    pinned_summaries = _pins(pins)
    Chart(lambda r: views.fx_option(r, pinned_summaries), run, quarter, "dt-fx-chart", views.HEIGHTS["fx"],
          also=(version, pins))
    world = run.cfg.world
    Text(f"This run uses **world.fx={world.fx}**: CNY {float(world.fx_scenarios[world.fx]):.2f} per USD from the "
         f"first year not observed (`world.fx_scenarios`), the observed annual averages before "
         f"(`world.fx_observed`). T1 is scored in USD, so a stronger dollar shrinks it at equal trade in CNY; T2's "
         f"growth is measured in CNY. The trade chart's T2 path is that CNY path divided by each year's rate.",
         "dt-fx-text")


def _index_available(run: WorkshopRun) -> bool:
    return monitor.index_series(run.model.recorder) is not None


@solara.component
def MonitorView(run: WorkshopRun, quarter: solara.Reactive):
    available = solara.use_memo(lambda: run.model is not None and _index_available(run), [run.id])
    if available:
        Chart(views.monitor_option, run, quarter, "dt-index-chart", views.HEIGHTS["monitor"])
    else:
        solara.Info("The digital-trade index is not available in this model version: the recorder has no "
                    "metric named index… by city (model.records.METRICS). The phasing and the milestone are below.",
                    classes=["dt-index-missing"])
    LiveText(lambda r: "**Milestone**\n\n" + panels.milestones_md(r), run, quarter, "dt-milestone")
    LiveText(lambda r: "**Phasing: which cities are in the zone when**\n\n" + panels.phasing_md(r),
             run, quarter, "dt-phasing")


NETWORK_HELP = ("**Reading the network** (one draw, redrawn every quarter): the platforms grouped by kind, "
                "coloured as the firms they serve (left; black frame: globally influential, what T3 counts), the "
                "cities (middle; green while in "
                "the zone, size: digital trade, label: share of firms digitally transformed) and the cloud "
                "providers (right; foreign ones enter with market access). A line's width is the number of a "
                "city's firms on those platforms or using that provider, each agent counted for the firms it "
                "stands for. Hover a city for its B2B links within the city.")


@solara.component
def Views(run: WorkshopRun, quarter: solara.Reactive, view: solara.Reactive, summary, pins: tuple, version: int,
          error: str, members: int):
    LiveText(lambda r: panels.status_md(r, summary, members, error), run, quarter, "dt-status",
             also=(version, error))
    solara.ToggleButtonsSingle(value=view, values=list(VIEWS), classes=["dt-views"])
    if view.value == VIEWS[0]:
        TargetsView(run, quarter, summary, pins, version, error, members)
    elif view.value == VIEWS[1]:
        FxView(run, quarter, pins, version)
    elif view.value == VIEWS[2]:
        MonitorView(run, quarter)
    else:
        Chart(views.network_option, run, quarter, "dt-network", views.HEIGHTS["network"])
        Text(NETWORK_HELP, "dt-network-help")


@solara.component
def RunBar(run: solara.Reactive, quarter: solara.Reactive, playing: solara.Reactive, looping: solara.Reactive,
           reset, advance, pin, can_pin: bool):
    """Reset / Step / +1 year / Play, the quarter and Pin, at the top of the page while it scrolls. After a step
    only this bar and what shows the quarter re-render (the levers do not). After Pause, Play stays disabled until
    the playing loop has stopped (its last quarter shown); while a loop runs the quarter label has the class
    dt-playing (the browser test waits on it)."""
    r, busy, stopping = run.value, playing.value, looping.value and not playing.value
    quarter.value  # noqa: B018 — subscribe: Step and Play are disabled at the horizon
    with solara.Div(classes=["dt-runbar"]):
        solara.Button("Reset", on_click=reset, color="primary", classes=["dt-reset"])
        solara.Button("Step", on_click=lambda: advance(1), disabled=busy or r.done, classes=["dt-step"])
        solara.Button("+1 year", on_click=lambda: advance(4), disabled=busy or r.done, classes=["dt-year"])
        solara.Button("Pause" if busy else "Play", on_click=lambda: playing.set(not busy),
                      disabled=(r.done or stopping) and not busy, color="primary", classes=["dt-play"])
        solara.Text(f"quarter: {r.label}", classes=["dt-quarter", *(["dt-playing"] if looping.value else [])])
        with solara.Tooltip("Keep this run (its settings and ensemble) on the charts and scorecard to compare with "
                            f"the next runs; at most {MAX_PINS}."):
            solara.Button("Pin this run", icon_name="mdi-pin", on_click=pin, disabled=not can_pin, outlined=True,
                          classes=["dt-pin-button"])


@solara.component
def Pins(pins: solara.Reactive, unpin, members: int):
    with solara.Div(classes=["dt-pins"]):
        for i, p in enumerate(pins.value):
            colour = views.PIN_COLOURS[i % len(views.PIN_COLOURS)]
            with solara.Div(classes=["dt-pin", f"dt-pin-{i + 1}"], style={"border-color": colour}):
                with solara.Tooltip(p.settings.command(members or None)):
                    solara.Text(f"pin {i + 1}: {p.name}")
                solara.Button(icon_name="mdi-close", icon=True, small=True, on_click=lambda p=p: unpin(p),
                              classes=["dt-unpin"])

"""The workshop app (Solara): move the plan's levers, press Step or Play, watch the targets and the index.

Served by `dtsim-workshop` (see cli.py), which passes the classroom settings (join code, caps, idle timeout) in the
environment (classroom.Classroom). Every browser session takes a seat (classroom.Registry) and builds its own
WorkshopRun inside `Workshop`, never at module level (a module-level model would be shared by all sessions). The
charts are ECharts options (views.py): the server sends their data, each participant's browser draws them, and only
the view the participant is looking at is rebuilt after a step.

Mesa's SolaraViz is not used: its Reset rebuilds a model from keyword arguments of independent sliders, so a preset
cannot move the sliders and a Hydra config cannot be the model's input; the Step/Play/Reset pattern below is the
same, in plain Solara.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time

import markdown
import reacton.core
import solara
import solara.lab
from solara.server import kernel_context

from experiments.workshop import monitor, panels, views
from experiments.workshop.classroom import Classroom, Full, Registry, Seat, play_pause
from experiments.workshop.levers import FAMILIES, Control
from experiments.workshop.session import WorkshopRun, counterfactual
from experiments.workshop.settings import Settings, options, presets

log = logging.getLogger("dtsim.workshop")
if not log.handlers:  # the server's terminal (or log file): seats opened and closed, errors of a session's run
    _handler = logging.StreamHandler(sys.stdout)
    _handler.setFormatter(logging.Formatter("dtsim-workshop %(asctime)s %(message)s", "%H:%M:%S"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False

GC_THRESHOLD = 10_000  # allocations between young-generation collections (Python's default: 700)
PAUSE_S = 0.15  # between quarters while playing, so the page keeps up (longer when many sessions play)
MAX_CODE_TRIES = 10  # wrong join codes per page before it stops asking; each wrong one also waits a second
VIEWS = ("Targets", "Index & phasing", "Network")
CSS = """
.dt-text table { border-collapse: collapse; margin-bottom: 8px; }
.dt-text th, .dt-text td { padding: 3px 8px; border-bottom: 1px solid #ddd; text-align: left; }
.dt-text code { font-size: 90%; }
.dt-text strong { font-weight: 700; }
.dt-quarter { font-size: 120%; font-weight: 700; }
.dt-chart { width: 100%; }
"""

CLASSROOM = Classroom.for_server()
REGISTRY = Registry(CLASSROOM)
REGISTRY.start_reaper()
JOINED: set[str] = set()  # solara session ids (a browser's session cookie) that have typed the join code


def _warm() -> None:  # compose the presets and run the default counterfactual, so the first visitor need not wait
    try:
        presets()
        counterfactual(Settings(scale=CLASSROOM.default_scale).config())
    except Exception:  # a broken preset shows in the page; never stop the server here
        pass
    # Python's cyclic garbage collector: a full collection holds the one Python thread for a time that grows with
    # the heap (~0.1-0.2 s with 30 sessions open, far longer when the machine is busy), stalling every session at
    # once. Most of a fresh server's heap is modules and caches that live forever: freeze them (never scanned), and
    # collect the young generation less often (most of a step's garbage is freed by reference counting anyway).
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 10, 10)


threading.Thread(target=_warm, daemon=True).start()


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

    if control.kind == "switch":
        solara.Switch(label=control.label, value=bool(value), on_value=set_value)
    elif control.kind == "select":
        solara.Select(control.label, values=list(control.options), value=value, on_value=set_value)
    else:  # the label carries the value: a Vuetify slider shows it only while dragged
        solara.SliderFloat(control.describe(value), value=control.shown(value), min=control.lo, max=control.hi,
                           step=control.step, on_value=set_value)


@solara.component
def Family(title: str, controls: list[Control], settings: solara.Reactive[Settings], update):
    """A lever family's panel: its controls exist only while it is open (a smaller page to re-render after each
    step, for every session)."""
    is_open = solara.use_reactive(False)
    with solara.Column(gap="0px", classes=["dt-family"]):
        solara.Button(title, icon_name="mdi-chevron-up" if is_open.value else "mdi-chevron-down", text=True,
                      on_click=lambda: is_open.set(not is_open.value),
                      style={"justify-content": "flex-start", "text-transform": "none", "font-size": "15px"},
                      classes=["dt-family-title"])
        if is_open.value:
            with solara.Column(style={"padding": "0 12px"}):
                for control in controls:
                    LeverControl(control, settings, update)


@solara.component
def ScenarioControls(settings: solara.Reactive[Settings], update):
    s = settings.value

    def pick(key):
        return lambda v: update(s.change(key, v))

    solara.Select("preset", values=presets(), value=s.preset, on_value=lambda v: update(Settings(v, s.seed, s.scale)))
    solara.Select("phasing", values=options("phasing"), value=s.value("phasing"), on_value=pick("phasing"))
    world = s.value("world")
    solara.Select("world preset", values=sorted({*options("world"), world}), value=world,
                  on_value=lambda v: v != "custom" and update(s.change("world", v)))
    solara.Select("world.fx (USD path)", values=list(s.base()["world"]["fx_scenarios"]), value=s.value("world.fx"),
                  on_value=pick("world.fx"))
    with solara.Row():
        solara.InputInt("seed", value=s.seed, on_value=lambda v: update(Settings(s.preset, v, s.scale, s.changes)))
        scales = [str(x) for x in CLASSROOM.scales]
        solara.Select("scale", values=scales, value=str(s.scale) if str(s.scale) in scales else scales[-1],
                      on_value=lambda v: update(Settings(s.preset, s.seed, float(v), s.changes)))


@solara.component
def Chart(build, run: WorkshopRun, quarter: solara.Reactive, name: str, height: int, every: int = 1):
    """An ECharts figure whose option is rebuilt when the quarter (divided by `every`) changes, under the run's
    lock (Play steps in a thread); the participant's browser draws it. A failing build shows its error in this
    chart only. Only the components that read `quarter` re-render after a step."""
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
                              "textStyle": {"fontSize": 12, "color": "#b00020"}}}
    option = solara.use_memo(make, [run.id, key])
    with solara.Column(classes=["dt-chart", name]):
        solara.FigureEcharts(option=option, attributes={"style": f"height: {height}px; width: 100%;"},
                             responsive=True)


@solara.component
def LiveText(make, run: WorkshopRun, quarter: solara.Reactive, name: str):
    """Markdown made from the run after each step (under the run's lock)."""
    q = quarter.value

    def text() -> str:
        with run.lock:
            return make(run) if run.model is not None else ""
    Text(solara.use_memo(text, [run.id, q]), name)


@solara.component
def Network(run: WorkshopRun, quarter: solara.Reactive):
    sample = solara.use_memo(lambda: views.NetworkSample(run.model, seed=int(run.cfg.seed)), [run.id])

    def build(r):
        return views.network_option(r, sample)[0]
    Chart(build, run, quarter, "dt-network", views.HEIGHTS["network"], every=4)  # once a simulated year


@solara.component
def TargetsView(run: WorkshopRun, quarter: solara.Reactive):
    explain = solara.use_memo(lambda: panels.explain_md(run), [run.id])
    with solara.Columns([5, 4]):
        Chart(views.trade_option, run, quarter, "dt-trade-chart", views.HEIGHTS["trade"])
        LiveText(panels.scorecard_md, run, quarter, "dt-scorecard")
    with solara.Columns([5, 4]):
        Chart(views.city_kind_option, run, quarter, "dt-city-chart", views.HEIGHTS["city"])
        Text("**What the active levers do in the model**\n\n" + explain, "dt-explain")


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
    with solara.Columns([4, 5]):
        LiveText(lambda r: "**Milestone**\n\n" + panels.milestones_md(r), run, quarter, "dt-milestone")
        LiveText(lambda r: "**Phasing: which cities are in the zone when**\n\n" + panels.phasing_md(r),
                 run, quarter, "dt-phasing")


def _status(run: WorkshopRun) -> str:
    return (f"**{run.label}** · {run.model.firms.n:,} firm agents (scale {run.cfg.scale:g}) · the same run from the "
            f"command line: `{run.settings.command()}`")


@solara.component
def Views(run: WorkshopRun, quarter: solara.Reactive, view: solara.Reactive):
    with solara.Column(style={"padding": "8px"}):
        LiveText(_status, run, quarter, "dt-status")
        solara.ToggleButtonsSingle(value=view, values=list(VIEWS), classes=["dt-views"])
        if view.value == VIEWS[0]:
            TargetsView(run, quarter)
        elif view.value == VIEWS[1]:
            MonitorView(run, quarter)
        else:
            Network(run, quarter)


@solara.component
def RunButtons(run: solara.Reactive, quarter: solara.Reactive, playing: solara.Reactive, looping: solara.Reactive,
               reset, advance):
    r, busy, stopping = run.value, playing.value, looping.value and not playing.value
    quarter.value  # noqa: B018 — subscribe: Step and Play are disabled at the horizon
    with solara.Row():
        solara.Button("Reset", on_click=reset, color="primary", classes=["dt-reset"])
        solara.Button("Step", on_click=lambda: advance(1), disabled=busy or r.done, classes=["dt-step"])
        solara.Button("+1 year", on_click=lambda: advance(4), disabled=busy or r.done, classes=["dt-year"])
        solara.Button("Pause" if busy else "Play", on_click=lambda: playing.set(not busy),
                      disabled=(r.done or stopping) and not busy, color="primary", classes=["dt-play"])


@solara.component
def QuarterLabel(run: solara.Reactive, quarter: solara.Reactive, looping: solara.Reactive):
    quarter.value  # noqa: B018 — subscribe
    solara.Text(f"quarter: {run.value.label}", classes=["dt-quarter", *(["dt-playing"] if looping.value else [])])


@solara.component
def RunCard(run: solara.Reactive, quarter: solara.Reactive, playing: solara.Reactive, looping: solara.Reactive,
            every: solara.Reactive, settings: solara.Reactive, error: solara.Reactive, reset, advance):
    """Reset / Step / +1 year / Play and the run's state. After a step only the buttons and the quarter label
    re-render (the levers do not).

    After Pause, Play stays disabled until the playing loop has stopped (its last quarter shown); while a loop runs
    the quarter label has the class dt-playing (the browser test waits on it)."""
    with solara.Card("Run", margin=0):
        RunButtons(run, quarter, playing, looping, reset, advance)
        solara.Select("redraw every (quarters) while playing", values=[1, 2, 4], value=every)
        QuarterLabel(run, quarter, looping)
        if settings.value != run.value.settings:
            solara.Warning(f"Controls changed: Reset starts {settings.value.command()}", dense=True,
                           classes=["dt-pending"])
        if error.value:
            solara.Error(error.value, dense=True, classes=["dt-error"])


@solara.component
def Session(seat: Seat):
    """One participant's workshop: their seat's run, the controls, the views. Closed (page closed, or idle past
    the timeout) it frees the model and says why."""
    # the first values only (solara.use_reactive follows its argument when it changes, and seat.run becomes None
    # when the seat is closed)
    first, first_settings, first_quarter, was_closed = solara.use_memo(
        lambda: (seat.run, seat.run.settings if seat.run else Settings(scale=CLASSROOM.default_scale),
                 seat.run.quarter if seat.run else -1, seat.closed), [seat])
    closed = solara.use_reactive(was_closed)
    settings = solara.use_reactive(first_settings)
    run = solara.use_reactive(first)
    quarter = solara.use_reactive(first_quarter)  # set after each step: re-renders what shows the quarter
    playing = solara.use_reactive(False)
    looping = solara.use_reactive(False)  # a play loop is running (it stops itself after Pause, within a quarter)
    every = solara.use_reactive(1)
    error = solara.use_reactive("")
    view = solara.use_reactive(VIEWS[0])

    def connect():
        """Hear when the reaper closes the seat; close it when the page's kernel closes (tab closed, culled)."""
        ctx = kernel_context.get_current_context() if kernel_context.has_current_context() else None
        leaving = threading.Event()

        def shown(reason: str) -> None:  # from the reaper's thread: re-render this page under its own context
            if ctx is None or leaving.is_set() or ctx.closed_event.is_set():
                return
            with ctx:
                closed.set(reason)
                playing.set(False)

        def page_closed() -> None:
            leaving.set()
            seat.close("page closed")
        seat.on_close(shown)
        if ctx is not None:
            ctx.on_close(page_closed)
        return page_closed
    solara.use_effect(connect, [seat])

    def update(new: Settings) -> None:
        seat.touch()
        settings.set(new)

    rc = reacton.core.get_render_context()

    def advance(quarters: int, current: WorkshopRun | None = None) -> None:
        current = current or run.value
        message = seat.step(quarters, current)
        with rc:  # one render pass for everything that follows the quarter (else one pass per subscriber)
            if message:
                error.set(message)
                playing.set(False)
            elif current is run.value and current.model is not None:  # not a run that Reset has just replaced
                quarter.set(current.quarter)

    def reset() -> None:
        playing.set(False)
        message = seat.start(settings.value)
        if message:
            error.set(message)
            return
        error.set("")
        run.set(seat.run)
        quarter.set(seat.run.quarter)

    def play_loop() -> None:
        if not playing.value:
            return  # Pause (or Reset): the loop that was playing sees it and stops
        current = run.value  # plays this run only: after Reset it stops, never stepping the new run
        looping.set(True)
        seat.playing = True
        try:
            while playing.value and not seat.closed and run.value is current and not current.done:
                start = time.perf_counter()
                advance(every.value, current)
                time.sleep(play_pause(time.perf_counter() - start, REGISTRY.playing, PAUSE_S))
        finally:
            seat.playing = False
            if not seat.closed:
                playing.set(False)
                looping.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    if closed.value or run.value is None:
        solara.Warning(seat.closed_message() or error.value or "No run.", classes=["dt-expired"])
        return
    with solara.Sidebar():
        RunCard(run, quarter, playing, looping, every, settings, error, reset, advance)
        ScenarioControls(settings, update)
        for family, (title, controls, _) in FAMILIES.items():
            Family(title, controls, settings, update)
    Views(run.value, quarter, view)


def _take_seat() -> Seat | str:
    """A seat with its first run (the default settings), or the message why there is none."""
    try:
        seat = REGISTRY.open()
    except Full as full:
        return str(full)
    message = seat.start(Settings(scale=CLASSROOM.default_scale))
    if message:
        seat.close("failed to start")
        return message
    return seat


@solara.component
def Workshop():
    attempt = solara.use_reactive(0)  # "Try again" after the workshop was full
    seat = solara.use_memo(_take_seat, [attempt.value])
    if isinstance(seat, str):
        with solara.Card("dtsim workshop", margin=8):
            solara.Error(seat, classes=["dt-full"])
            solara.Button("Try again", on_click=lambda: attempt.set(attempt.value + 1), classes=["dt-retry"])
        return
    Session(seat)


@solara.component
def JoinForm(joined: solara.Reactive):
    """The join code, asked once per browser session when the server listens beyond this machine."""
    typed = solara.use_reactive("")
    message = solara.use_reactive("")
    tries = solara.use_reactive(0)

    def submit(*_):
        if tries.value >= MAX_CODE_TRIES:
            message.set("Too many wrong codes. Ask the facilitator for the code, then reload the page.")
            return
        if CLASSROOM.code_ok(typed.value):
            JOINED.add(solara.get_session_id())
            joined.set(True)
            return
        time.sleep(1.0)  # slows guessing down (this page only)
        tries.set(tries.value + 1)
        log.info("wrong join code (%d in this page)", tries.value)
        message.set("That is not this workshop's join code. The facilitator's screen shows it.")

    with solara.Card("Join the workshop", margin=8, classes=["dt-join"]):
        Text("Type the **join code** the facilitator gives you (once per browser session).", "dt-join-help")
        solara.InputText("join code", value=typed, continuous_update=True, classes=["dt-code"])
        solara.Button("Join", on_click=submit, color="primary", classes=["dt-join-button"])
        if message.value:
            solara.Error(message.value, dense=True, classes=["dt-join-error"])


@solara.component
def Page():
    solara.Title("dtsim workshop")
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle("dtsim workshop — Zhejiang Digital Trade Pioneer Demonstration Zone")
    joined = solara.use_reactive(CLASSROOM.join_code is None or solara.get_session_id() in JOINED)
    if joined.value:
        Workshop()
    else:
        JoinForm(joined)

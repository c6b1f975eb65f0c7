"""The workshop app (Solara): move the plan's levers, press Step or Play, watch the targets and the index.

Served by `dtsim-workshop` (see cli.py), which passes the classroom settings (join code, caps, idle timeout) in the
environment (classroom.Classroom). Every browser session takes a seat (classroom.Registry) and builds its own
WorkshopRun inside `Workshop`, never at module level (a module-level model would be shared by all sessions). The
charts are ECharts options (views.py): the server sends their data, each participant's browser draws them, and only
the view the participant is looking at is rebuilt after a step.

Projector first: a page that scrolls as a whole (no inner scroll panel: `Layout` below replaces solara's
AppLayout), a controls panel that folds away, run buttons that stay at the top, every chart's text at least 14 px
(views.FONT) and no badge over the scorecard (cli.py turns solara's off). Each setting runs an ensemble of seeds in
the background (ensemble.py): the page shows its bands and P(met), and keeps the one draw that is stepped through
for explaining mechanisms, labelled as such; up to three runs can be pinned and overlaid.

Mesa's SolaraViz is not used: its Reset rebuilds a model from keyword arguments of independent sliders, so a preset
cannot move the sliders and a Hydra config cannot be the model's input; the Step/Play/Reset pattern below is the
same, in plain Solara.
"""

from __future__ import annotations

import gc
import itertools
import logging
import sys
import threading
import time

import reacton.core
import solara
import solara.lab
from solara.server import kernel_context

from experiments.workshop import ensemble
from experiments.workshop.classroom import Classroom, Full, Registry, Seat, play_pause
from experiments.workshop.components import (CSS, VIEWS, Family, Pins, PresetPicker, RunBar, ScenarioControls,
                                             Text, Views)
from experiments.workshop.levers import FAMILIES
from experiments.workshop.session import MAX_PINS, Pin, WorkshopRun, counterfactual, pinned
from experiments.workshop.settings import Settings, presets

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
REDRAW_S = 0.3  # the ensemble's arrivals redraw the page at most this often
CLASSROOM = Classroom.for_server()
REGISTRY = Registry(CLASSROOM)
REGISTRY.start_reaper()
_TICKS = itertools.count(1)
JOINED: set[str] = set()  # solara session ids (a browser's session cookie) that have typed the join code


def _warm() -> None:
    """Compose the presets, run the default counterfactual, start the ensemble's workers and run the default
    ensemble, so the first visitor need not wait."""
    try:
        presets()
        counterfactual(Settings(scale=CLASSROOM.default_scale).config())
        if CLASSROOM.ensemble:
            ensemble.warm()
            WorkshopRun(Settings(scale=CLASSROOM.default_scale)).ensemble(CLASSROOM.ensemble)
    except Exception:  # a broken preset shows in the page; never stop the server here
        log.exception("warming up")
    # Python's cyclic garbage collector: a full collection holds the one Python thread for a time that grows with
    # the heap (~0.1-0.2 s with 30 sessions open, far longer when the machine is busy), stalling every session at
    # once. Most of a fresh server's heap is modules and caches that live forever: freeze them (never scanned), and
    # collect the young generation less often (most of a step's garbage is freed by reference counting anyway).
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 10, 10)


threading.Thread(target=_warm, daemon=True).start()


@solara.component
def Layout(children=[]):  # noqa: B006 — solara's signature
    """No AppLayout: the page scrolls as a whole, and the header and panels below are ours."""
    solara.Column(children=children, gap="0px", style={"min-height": "100vh"})


@solara.component
def Session(seat: Seat):
    """One participant's workshop: their seat's run and its ensemble, the pins, the controls, the views. Closed
    (page closed, or idle past the timeout) it frees the model and says why."""
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
    folded = solara.use_reactive(False)  # the controls panel folded away (projector)
    pins = solara.use_reactive(())
    version = solara.use_reactive(0)  # set as ensemble members arrive: redraws the bands and tables
    current = run.value
    ens = solara.use_memo(lambda: current.ensemble(CLASSROOM.ensemble) if current is not None and
                          CLASSROOM.ensemble else None, [current])

    def connect():
        """Hear when the reaper closes the seat; close it when the page's kernel closes (tab closed, culled). The
        idle time counts from here, when the page is first shown (not from when its run was built)."""
        seat.touch()
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

    def release():
        """When the run changes (or the page goes), cancel the queued members of its ensemble unless pinned."""
        def done():
            if ens is not None and not any(p.ensemble is ens for p in pins.value):
                ens.cancel()
        return done
    solara.use_effect(release, [ens])

    def watch():
        """Redraw as the ensembles (this run's and the pins') fill in: a thread that waits for arrivals and bumps
        `version` under this page's context, at most every REDRAW_S."""
        ctx = kernel_context.get_current_context() if kernel_context.has_current_context() else None
        stop = threading.Event()
        watched = [e for e in (ens, *(p.ensemble for p in pins.value)) if e is not None]

        def loop():
            seen = None
            while not stop.is_set() and watched:
                done = all(e.complete or e.error for e in watched)  # before reading the versions: no arrival
                now = tuple(e.version for e in watched)              # can slip between the last redraw and here
                if now != seen:
                    seen = now
                    if ctx is None or ctx.closed_event.is_set():
                        return
                    with ctx:
                        version.set(next(_TICKS))  # a new value every time: never equal to an earlier one
                if done:
                    return
                stop.wait(REDRAW_S)
                watched[0].wait(seen[0], 1.0)  # returns at once if something arrived meanwhile
        threading.Thread(target=loop, name="dtsim-ensemble-watch", daemon=True).start()
        return stop.set
    solara.use_effect(watch, [ens, pins.value])

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

    def pin() -> None:
        seat.touch()
        new, message = pinned(pins.value, run.value, ens)
        error.set(message)
        pins.set(new)

    def unpin(p: Pin) -> None:
        seat.touch()
        pins.set(tuple(x for x in pins.value if x is not p))
        if p.ensemble is not None and p.ensemble is not ens:
            p.ensemble.cancel()

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

    summary = solara.use_memo(lambda: ens.summary() if ens is not None else None, [ens, version.value])
    if closed.value or run.value is None:
        solara.Warning(seat.closed_message() or error.value or "No run.", classes=["dt-expired"])
        return
    with solara.Div(classes=["dt-header"]):
        solara.Button("Controls", icon_name="mdi-menu-open" if not folded.value else "mdi-menu", text=True,
                      dark=True, on_click=lambda: folded.set(not folded.value), classes=["dt-fold"])
        solara.Text("dtsim workshop — Zhejiang Digital Trade Pioneer Demonstration Zone", classes=["dt-title"])
    with solara.Div(classes=["dt-shell", *(["dt-folded"] if folded.value else [])]):
        if not folded.value:
            with solara.Div(classes=["dt-panel"]):
                PresetPicker(settings, update)
                ScenarioControls(settings, update, CLASSROOM.scales)
                for family, (title, controls, _) in FAMILIES.items():
                    Family(title, controls, settings, update)
                solara.Select("redraw every (quarters) while playing", values=[1, 2, 4], value=every)
        with solara.Div(classes=["dt-main"]):
            RunBar(run, quarter, playing, looping, reset, advance, pin,
                   can_pin=len(pins.value) < MAX_PINS and not any(p.settings == run.value.settings
                                                                  for p in pins.value))
            if settings.value != run.value.settings:
                solara.Warning(f"Controls changed: Reset starts {settings.value.label()} — "
                               f"{settings.value.command()}", dense=True, classes=["dt-pending"])
            if error.value:
                solara.Error(error.value, dense=True, classes=["dt-error"])
            if pins.value:
                Pins(pins, unpin, CLASSROOM.ensemble)
            Views(run.value, quarter, view, summary, pins.value, version.value,
                  ens.error if ens is not None else "", CLASSROOM.ensemble)


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
    joined = solara.use_reactive(CLASSROOM.join_code is None or solara.get_session_id() in JOINED)
    if joined.value:
        Workshop()
    else:
        JoinForm(joined)

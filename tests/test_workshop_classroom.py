"""Serving a classroom (experiments/workshop/classroom.py, cli.py): who gets in, how many, at what scale, what an
error in one session does to the others, and when a session's model is freed. First headless, on the registry with a
clock of its own; then in Debian's chromium against `dtsim-workshop` (5 browser sessions at most): the join code
forced on 127.0.0.1 with --classroom, the session cap, sessions kept apart, and idle expiry with a tiny timeout.
Behaviour only: no timing is asserted (benchmarks/workshop_load.py measures)."""

from __future__ import annotations

import gc
import re
import time
import weakref

import pytest

from experiments.workshop import cli
from experiments.workshop.classroom import Classroom, Full, Registry, Seat, is_loopback, new_code, play_pause
from experiments.workshop.settings import SCALES, Settings

SMALL = Settings(scale=0.02, seed=1)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _registry(**kw) -> tuple[Registry, Clock]:
    clock = Clock()
    return Registry(Classroom(**kw), clock=clock), clock


def _seat(registry: Registry, settings: Settings = SMALL) -> Seat:
    seat = registry.open()
    assert seat.start(settings) == ""
    return seat


# ---------------------------------------------------------------------------------------------- headless
@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True),
                                            ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("::", False),
                                            ("192.168.1.20", False), ("workshop.local", False)])
def test_only_loopback_addresses_count_as_this_machine(host, loopback):
    assert is_loopback(host) is loopback


def test_the_command_line_turns_classroom_mode_on_beyond_loopback():
    args, room = cli.parse([])
    assert room.join_code is None and room.max_scale is None and room.max_sessions == 40 and room.idle_s == 1800
    assert room.scales == list(SCALES)
    _, room = cli.parse(["--host", "0.0.0.0"])
    assert room.join_code and re.fullmatch(r"[A-Z2-9]{6}", room.join_code) and room.max_scale == 0.1
    assert max(room.scales) == 0.1 and room.default_scale == 0.05
    _, room = cli.parse(["--classroom", "--join-code", "ab-12 cd", "--max-sessions", "3", "--idle-minutes", "0.5",
                         "--max-scale", "0.05"])
    assert (room.join_code, room.max_sessions, room.idle_s, room.max_scale) == ("AB12CD", 3, 30.0, 0.05)
    assert Classroom.from_env(room.to_env()) == room  # what the server process reads is what the command said
    assert Classroom.from_env({}) == Classroom()
    assert cli.parse(["--host", "0.0.0.0"])[1].join_code != cli.parse(["--host", "0.0.0.0"])[1].join_code
    # the app served by `solara run --host 0.0.0.0` directly (no dtsim-workshop settings) still asks for a code
    served = Classroom.for_server({"SERVER_NAME": "0.0.0.0"})
    assert served.join_code and served.max_scale == 0.1
    assert Classroom.for_server({"SERVER_NAME": "localhost"}) == Classroom()
    assert Classroom.for_server({**room.to_env(), "SERVER_NAME": "0.0.0.0"}) == room
    for bad in (["--join-code", "ABCD"], ["--classroom", "--join-code", "ab"], ["--max-sessions", "0"],
                ["--idle-minutes", "0"], ["--max-scale", "0.001"], ["--port", "0"]):
        with pytest.raises(SystemExit):
            cli.parse(bad)


def test_the_join_code_ignores_case_spaces_and_dashes_and_nothing_else():
    room = Classroom(join_code="K7PQ2M")
    assert room.code_ok("k7pq2m") and room.code_ok(" K7P-Q2M ") and room.code_ok("K7PQ2M")
    assert not room.code_ok("K7PQ2N") and not room.code_ok("") and not room.code_ok(None)
    assert not room.code_ok("K7PQ2MX") and not room.code_ok("K7PQ2")
    assert Classroom().code_ok("") and Classroom().code_ok(None)  # no code asked on 127.0.0.1
    codes = {new_code() for _ in range(50)}
    assert len(codes) == 50 and all(not set(c) & set("01OI") for c in codes)


def test_the_session_cap_refuses_with_a_message_and_a_closed_seat_frees_its_place():
    registry, _ = _registry(max_sessions=2)
    a, b = registry.open(), registry.open()
    with pytest.raises(Full, match="2 sessions are open"):
        registry.open()
    a.close("page closed")
    c = registry.open()
    assert set(registry.seats) == {b.number, c.number}


def test_the_scale_cap_refuses_a_larger_model_with_a_message():
    registry, _ = _registry(max_scale=0.05)
    seat = _seat(registry)
    run = seat.run
    message = seat.start(Settings(scale=0.25))
    assert "scale 0.25 is above this workshop's limit of 0.05" in message and seat.run is run  # the run is kept
    assert registry.classroom.scales == [s for s in SCALES if s <= 0.05]


def test_an_exception_in_one_session_stays_in_that_session():
    registry, _ = _registry()
    a, b = _seat(registry), _seat(registry)

    def broken(quarters=None):
        raise RuntimeError("boom in seat a")
    a.run.model.run = broken
    message = a.step(1)
    assert "RuntimeError: boom in seat a" in message and "press Reset" in message
    assert a.step(1) == message  # Step stays off until Reset
    assert b.step(2) == "" and b.run.quarter == 1  # the other session is untouched
    assert registry.errors == 1 and a.number in registry.seats
    assert a.start(SMALL) == "" and a.step(1) == "" and a.run.quarter == 0  # Reset gives a working run
    # a config error is the session's one-line message, not an exception
    assert a.start(Settings(seed=-1)).startswith("config error: seed=-1")
    # a failure while building a run (not a config error) is caught too, and leaves the old run in place
    old = a.run
    assert "error while building the run" in a.start(Settings(preset="plan", scale="x"))
    assert a.run is old and b.step(1) == ""


def test_idle_sessions_are_closed_and_their_models_freed():
    registry, clock = _registry(idle_s=60)
    idle, busy, playing = _seat(registry), _seat(registry), _seat(registry)
    heard = []
    idle.on_close(heard.append)
    idle.on_close(lambda reason: 1 / 0)  # a listener that fails (a page gone meanwhile) stops nothing
    model = weakref.ref(idle.run.model)
    run = idle.run  # the page may keep its run object: the model is freed all the same
    playing.playing = True
    clock.now += 50
    busy.step(1)  # used: its idle time starts again
    assert registry.reap() == []
    clock.now += 20
    assert registry.reap() == [idle.number]
    assert heard == ["idle"] and idle.closed == "idle" and run.model is None and run.done
    gc.collect()
    assert model() is None  # the model's memory is freed
    assert set(registry.seats) == {busy.number, playing.number}  # a playing session is in use
    assert "without use" in idle.step(1) and "Reload the page" in idle.closed_message()
    assert idle.start(SMALL) == idle.closed_message() and idle.run is None  # a closed seat stays closed
    clock.now += 61
    playing.playing = False
    assert sorted(registry.reap()) == sorted([busy.number, playing.number]) and not registry.seats
    idle.close("page closed")  # closing twice changes nothing
    assert idle.closed == "idle"


def test_a_page_closed_frees_its_model_at_once():
    registry, _ = _registry()
    seat = _seat(registry)
    model = weakref.ref(seat.run.model)
    seat.close("page closed")
    gc.collect()
    assert model() is None and not registry.seats


def test_the_reaper_thread_closes_idle_seats_by_itself():
    registry = Registry(Classroom(idle_s=0.3))
    seat = registry.open()
    registry.start_reaper(interval_s=0.05)
    deadline = time.monotonic() + 10
    while not seat.closed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seat.closed == "idle"


def test_play_waits_longer_the_more_sessions_play():
    assert play_pause(0.05, 1, 0.15) == pytest.approx(0.10)  # alone: the usual pace
    assert play_pause(0.05, 11, 0.15) == pytest.approx(1.0)  # ten others playing: a quarter every ~second
    assert play_pause(0.3, 1, 0.15) == 0.0


# ---------------------------------------------------------------------------------------------- in a browser
try:
    from tests.test_workshop_browser import _missing, launch, new_page, workshop_server
except ImportError:  # playwright missing: the browser tests below are skipped
    _missing = ["playwright"]

browser = pytest.mark.skipif(bool(_missing), reason=f"needs {', '.join(_missing)}")


def _join(page, code: str) -> None:
    page.locator(".dt-code input").fill(code)
    page.locator(".dt-join-button").click()


def _label(page) -> str:
    return page.locator(".dt-quarter").inner_text()


@browser
def test_join_code_session_cap_and_separate_sessions_in_the_browser():
    with workshop_server("--classroom", "--max-sessions", "4", log_name="classroom-server.log") as (url, log):
        code = re.search(r"JOIN CODE (\w+)", log.read_text()).group(1)  # printed at start, for the facilitator
        with launch() as chromium:
            a = new_page(chromium)
            a.goto(url)
            a.locator(".dt-join").wait_for()
            assert a.locator(".dt-step").count() == 0  # no model, no controls before the code
            _join(a, "WRONG9")
            a.locator(".dt-join-error", has_text="not this workshop's join code").wait_for()
            assert a.locator(".dt-step").count() == 0
            _join(a, code.lower())  # case does not matter
            a.locator(".dt-step").wait_for()
            a.reload()  # once per browser session: a reload does not ask again
            a.locator(".dt-step").wait_for()
            assert a.locator(".dt-join").count() == 0

            pages = [a]
            for _ in range(3):  # three more participants, each in a browser session of their own
                page = new_page(chromium)
                page.goto(url)
                _join(page, code)
                page.locator(".dt-step").wait_for()
                pages.append(page)
            b, c, d = pages[1:]
            assert "scale 0.05" in a.locator(".dt-status").inner_text()

            e = new_page(chromium)  # the fifth: over the cap of 4
            e.goto(url)
            _join(e, code)
            e.locator(".dt-full", has_text="4 sessions are open").wait_for()
            assert e.locator(".dt-step").count() == 0

            # each session moves only its own model
            a.locator(".dt-step").click()
            a.locator(".dt-quarter", has_text="2020Q1").wait_for()
            b.locator(".dt-year").click()
            b.locator(".dt-quarter", has_text="2020Q4").wait_for()
            d.locator(".dt-step").click()
            d.locator(".dt-quarter", has_text="2020Q1").wait_for()
            d.locator(".dt-step").click()
            d.locator(".dt-quarter", has_text="2020Q2").wait_for()
            assert "2020Q1" in _label(a) and "2020Q4" in _label(b) and "not started" in _label(c)

            # a participant leaves (closing a tab fires pagehide, as leaving the page does): their seat is freed,
            # and the one waiting gets in
            d.goto("about:blank")
            deadline = time.monotonic() + 60
            while e.locator(".dt-step").count() == 0:
                assert time.monotonic() < deadline, "the freed seat was not given to the waiting participant"
                e.locator(".dt-retry").click()
                time.sleep(0.5)
            e.locator(".dt-quarter", has_text="not started").wait_for()
            assert "2020Q1" in _label(a) and "2020Q4" in _label(b)
    text = log.read_text()
    assert "wrong join code" in text and "closed: page closed" in text


@browser
def test_an_idle_session_is_closed_and_says_so():
    with workshop_server("--idle-minutes", "0.1", log_name="idle-server.log") as (url, log):  # 6 s
        with launch() as chromium:
            page = new_page(chromium)
            page.goto(url)  # on 127.0.0.1 no code is asked
            page.locator(".dt-step").click()
            page.locator(".dt-quarter", has_text="2020Q1").wait_for()
            page.locator(".dt-expired", has_text="without use").wait_for()  # the reaper closed it
            assert page.locator(".dt-step").count() == 0
            page.reload()  # a new session
            page.locator(".dt-quarter", has_text="not started").wait_for()
    assert re.search(r"seat \d+ closed: idle", log.read_text())

"""Serving a classroom from one machine: who may come in (a join code beyond 127.0.0.1), how many sessions and how
large a model each may run (caps), and when a session's model is freed (page closed, or idle too long). No Solara
here: the page (app.py) calls these and shows their messages; tests/test_workshop_classroom.py drives them headless.

A `Seat` is one browser session's place in the room: its WorkshopRun and what happened to it. Every call into a
seat (Step, Reset) catches what the run raises and turns it into that seat's message, so an exception in one
session never reaches another, nor the server. The `Registry` holds the open seats, refuses one past the cap, and a
reaper thread closes the seats that have sat idle too long, dropping their models.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import secrets
import threading
import time
import traceback
from dataclasses import dataclass, replace
from typing import Callable

from experiments.workshop.ensemble import DEFAULT_MEMBERS
from experiments.workshop.session import WorkshopRun
from experiments.workshop.settings import DEFAULT_SCALE, SCALES, Settings
from model.validate import ConfigError

log = logging.getLogger("dtsim.workshop")
ENV = "DTSIM_WORKSHOP_"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or off a projector
MAX_SESSIONS, IDLE_MINUTES, CLASSROOM_MAX_SCALE = 40, 30.0, 0.1
MAX_MEMBERS = 40  # seeds of an ensemble at most (each setting runs twice that many models)


def is_loopback(host: str) -> bool:
    """Whether `host` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def new_code(length: int = 6) -> str:
    """A random join code, e.g. 'K7PQ2M' (31^6: ~9e8 codes; the page also slows wrong tries down)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def clean_code(code: str) -> str:
    """A join code as compared: without spaces or dashes, upper case ('k7p-q2m' -> 'K7PQ2M')."""
    return "".join(code.split()).replace("-", "").upper()


@dataclass(frozen=True)
class Classroom:
    """How the server admits and limits sessions; the command line (cli.py) sets it, the app reads it from the
    environment of the server process."""
    max_sessions: int = MAX_SESSIONS    # open sessions (each with its own model) at most
    idle_s: float = IDLE_MINUTES * 60   # a session untouched this long is closed and its model freed
    max_scale: float | None = None      # the largest scale a session may run (None: any of SCALES)
    join_code: str | None = None        # None: no code asked (127.0.0.1)
    ensemble: int = DEFAULT_MEMBERS     # seeds of each setting's ensemble (bands, P(met)); 0: one draw only

    def __post_init__(self):
        if self.max_sessions < 1:
            raise ValueError(f"max_sessions={self.max_sessions}: at least 1")
        if not self.idle_s > 0:
            raise ValueError(f"idle timeout {self.idle_s} s: must be positive")
        if self.max_scale is not None and not self.max_scale >= min(SCALES):
            raise ValueError(f"max_scale={self.max_scale}: at least {min(SCALES)}, the smallest scale offered")
        if self.ensemble != 0 and not 2 <= self.ensemble <= MAX_MEMBERS:
            raise ValueError(f"ensemble={self.ensemble}: 0 (off) or 2 to {MAX_MEMBERS} seeds")

    def to_env(self) -> dict[str, str]:
        env = {f"{ENV}MAX_SESSIONS": str(self.max_sessions), f"{ENV}IDLE_S": repr(float(self.idle_s)),
               f"{ENV}ENSEMBLE": str(self.ensemble)}
        if self.max_scale is not None:
            env[f"{ENV}MAX_SCALE"] = repr(float(self.max_scale))
        if self.join_code:
            env[f"{ENV}JOIN_CODE"] = self.join_code
        return env

    @classmethod
    def from_env(cls, env=None) -> "Classroom":
        env = os.environ if env is None else env
        scale = env.get(f"{ENV}MAX_SCALE")
        return cls(max_sessions=int(env.get(f"{ENV}MAX_SESSIONS", MAX_SESSIONS)),
                   idle_s=float(env.get(f"{ENV}IDLE_S", IDLE_MINUTES * 60)),
                   max_scale=float(scale) if scale else None, join_code=env.get(f"{ENV}JOIN_CODE") or None,
                   ensemble=int(env.get(f"{ENV}ENSEMBLE", DEFAULT_MEMBERS)))

    @classmethod
    def for_server(cls, env=None) -> "Classroom":
        """The settings the app runs with: those of the environment (dtsim-workshop sets them), but with a new join
        code and the classroom scale cap when the server listens beyond this machine without one (the app served
        by `solara run --host 0.0.0.0` directly: solara puts the host in SERVER_NAME)."""
        env = os.environ if env is None else env
        room = cls.from_env(env)
        if room.join_code is None and not is_loopback(env.get("SERVER_NAME", "127.0.0.1")):
            room = replace(room, join_code=new_code(), max_scale=room.max_scale or CLASSROOM_MAX_SCALE)
            print(f"dtsim-workshop: JOIN CODE {room.join_code} (listening on {env['SERVER_NAME']}: participants "
                  f"type it once per browser session)", flush=True)
        return room

    @property
    def scales(self) -> list[float]:
        """The scales a participant may pick."""
        return [s for s in SCALES if self.max_scale is None or s <= self.max_scale + 1e-12]

    @property
    def default_scale(self) -> float:
        return DEFAULT_SCALE if DEFAULT_SCALE in self.scales else max(self.scales)

    def scale_error(self, scale: float) -> str | None:
        """Why a session may not run at `scale` here, or None."""
        if self.max_scale is not None and float(scale) > self.max_scale + 1e-12:
            return (f"scale {float(scale):g} is above this workshop's limit of {self.max_scale:g} per session "
                    f"(so that one participant cannot slow everyone down): pick {self.max_scale:g} or less")
        return None

    def code_ok(self, typed: str | None) -> bool:
        """Whether `typed` is the join code (always, if none is needed); spaces, dashes and case are ignored."""
        if not self.join_code:
            return True
        return hmac.compare_digest(clean_code(typed or "").encode(), clean_code(self.join_code).encode())


class Full(Exception):
    """No seat left: the message says so, for the page."""


class Seat:
    """One browser session's place: its run, when it was last used, and whether it is closed (and why)."""

    def __init__(self, registry: "Registry", number: int):
        self.registry = registry
        self.number = number
        self.run: WorkshopRun | None = None
        self.broken: str = ""      # the run raised while stepping: Step stays off until Reset
        self.closed: str = ""      # why the seat was closed ("" while open)
        self.playing = False
        self.last_used = registry.clock()
        self._on_close: list[Callable[[str], None]] = []
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- what the page calls
    def touch(self) -> None:
        self.last_used = self.registry.clock()

    def start(self, settings: Settings) -> str:
        """Build this seat's run from `settings` (Reset, and the first run); returns "" or a one-line message."""
        self.touch()
        if self.closed:
            return self.closed_message()
        try:
            capped = self.registry.classroom.scale_error(settings.scale)
            if capped:
                return capped
            run = WorkshopRun(settings)
        except ConfigError as exc:
            return f"config error: {exc}"
        except Exception as exc:  # a bug in one session's run stays in that session
            return self._failed("building the run", exc)
        with self._lock:
            if self.closed:
                run.release()
                return self.closed_message()
            old, self.run, self.broken = self.run, run, ""
        if old is not None:
            old.release()
        return ""

    def step(self, quarters: int = 1, run: WorkshopRun | None = None) -> str:
        """Advance this seat's run (or `run`, if it is still this seat's); returns "" or a one-line message."""
        self.touch()
        run = run or self.run
        if self.closed or run is None:
            return self.closed_message() or "no run: press Reset"
        if self.broken:
            return self.broken
        try:
            run.step(quarters)
        except Exception as exc:
            if run is self.run:
                self.broken = self._failed("stepping the model", exc) + " — press Reset to start a new run"
                return self.broken
            return ""  # a run that Reset (or the reaper) has just replaced: nothing to report
        return ""

    def on_close(self, listener: Callable[[str], None]) -> None:
        """Call `listener(reason)` once when the seat is closed (the page shows why)."""
        self._on_close.append(listener)

    def close(self, reason: str) -> None:
        """Free the model and leave the registry (idempotent); tell the listeners."""
        with self._lock:
            if self.closed:
                return
            self.closed, run, self.run = reason, self.run, None
        self.playing = False
        if run is not None:
            run.release()
        self.registry._remove(self)
        for listener in self._on_close:
            try:
                listener(reason)
            except Exception:  # a page that has gone away meanwhile
                log.debug("seat %d: close listener failed", self.number, exc_info=True)
        self._on_close.clear()

    def closed_message(self) -> str:
        if not self.closed:
            return ""
        if self.closed == "idle":
            minutes = self.registry.classroom.idle_s / 60
            return (f"This session was closed after {minutes:g} minutes without use, to free the server's memory "
                    f"for the others. Reload the page to start a new session.")
        return f"This session is closed ({self.closed}). Reload the page to start a new session."

    def _failed(self, what: str, exc: Exception) -> str:
        log.error("seat %d: %s failed:\n%s", self.number, what, traceback.format_exc())
        self.registry.errors += 1
        return f"error while {what}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip()


class Registry:
    """The open seats of this server: at most `classroom.max_sessions`; those idle longer than `classroom.idle_s`
    are closed by `reap` (run every few seconds by `start_reaper`)."""

    def __init__(self, classroom: Classroom, clock: Callable[[], float] = time.monotonic):
        self.classroom = classroom
        self.clock = clock
        self.seats: dict[int, Seat] = {}
        self.errors = 0          # sessions' runs that raised (each shown in its own page only)
        self.opened = 0
        self._numbers = iter(range(1, 1 << 62))
        self._lock = threading.Lock()
        self._reaper: threading.Thread | None = None

    def open(self) -> Seat:
        """A new seat, or Full (with the page's message) when the cap is reached."""
        with self._lock:
            if len(self.seats) >= self.classroom.max_sessions:
                raise Full(f"The workshop is full: {self.classroom.max_sessions} sessions are open, the most this "
                           f"server allows. Ask the facilitator, or try again when someone has left.")
            seat = Seat(self, next(self._numbers))
            self.seats[seat.number] = seat
            self.opened += 1
        log.info("seat %d opened (%d open)", seat.number, len(self.seats))
        return seat

    def _remove(self, seat: Seat) -> None:
        with self._lock:
            self.seats.pop(seat.number, None)
        log.info("seat %d closed: %s (%d open)", seat.number, seat.closed, len(self.seats))

    @property
    def playing(self) -> int:
        return sum(1 for s in list(self.seats.values()) if s.playing)

    def reap(self) -> list[int]:
        """Close the seats idle longer than the timeout; returns their numbers."""
        now, limit = self.clock(), self.classroom.idle_s
        idle = [s for s in list(self.seats.values()) if now - s.last_used > limit and not s.playing]
        for seat in idle:
            try:
                seat.close("idle")
            except Exception:  # never let one seat stop the reaper
                log.exception("seat %d: closing failed", seat.number)
        return [s.number for s in idle]

    def start_reaper(self, interval_s: float | None = None) -> threading.Thread:
        """A daemon thread that reaps every `interval_s` (default: a fifth of the timeout, 0.2–30 s)."""
        if self._reaper is not None:
            return self._reaper
        interval = interval_s or min(max(self.classroom.idle_s / 5, 0.2), 30.0)

        def loop():
            while True:
                time.sleep(interval)
                try:
                    self.reap()
                except Exception:
                    log.exception("reaper")
        self._reaper = threading.Thread(target=loop, name="dtsim-workshop-reaper", daemon=True)
        self._reaper.start()
        return self._reaper


def play_pause(elapsed_s: float, playing: int, pause_s: float) -> float:
    """Seconds a playing session waits before its next quarter: at least `pause_s`, and longer the more sessions
    play at once, so that Play in many sessions leaves the server time for the others' Step presses (the sessions
    playing together then use about half the server's time in all, whatever their number)."""
    return max(pause_s - elapsed_s, 2.0 * elapsed_s * max(playing - 1, 0), 0.0)


"""`dtsim-workshop`: serve the workshop app (Solara) on this machine, offline.

    dtsim-workshop                          # http://127.0.0.1:8765, this machine only, no join code
    dtsim-workshop --port 9000
    dtsim-workshop --host 0.0.0.0           # a classroom network: prints a join code that participants type once
    dtsim-workshop --host 0.0.0.0 --max-sessions 30 --idle-minutes 20 --max-scale 0.05
    dtsim-workshop --ensemble 20                # 20 seeds per setting for the bands (default 10; 0: off)

Beyond 127.0.0.1 (or with --classroom) the server is in classroom mode: a join code is required (a new one at each
start, or --join-code) and each session's scale is capped (--max-scale, default 0.1). Always: at most
--max-sessions sessions at once (default 40), and a session untouched for --idle-minutes (default 30) is closed
and its model freed.
"""

from __future__ import annotations

import argparse
import os
import sys

from experiments.workshop.classroom import (CLASSROOM_MAX_SCALE, ENV, IDLE_MINUTES, MAX_MEMBERS, MAX_SESSIONS,
                                            Classroom, clean_code, is_loopback, new_code)
from experiments.workshop.ensemble import DEFAULT_MEMBERS
from experiments.workshop.settings import SCALES


def parse(argv: list[str] | None = None) -> tuple[argparse.Namespace, Classroom]:
    """The command line -> its arguments and the classroom settings the app will read (errors exit with usage)."""
    parser = argparse.ArgumentParser(prog="dtsim-workshop", description="Serve the dtsim workshop app.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this "
                                                            "machine only; any other turns classroom mode on)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    parser.add_argument("--max-sessions", type=int, default=MAX_SESSIONS,
                        help=f"sessions open at once, each with its own model (default {MAX_SESSIONS})")
    parser.add_argument("--idle-minutes", type=float, default=IDLE_MINUTES,
                        help=f"close a session untouched this long and free its model (default {IDLE_MINUTES:g})")
    parser.add_argument("--max-scale", type=float, default=None,
                        help=f"largest scale a session may run (default {CLASSROOM_MAX_SCALE:g} in classroom mode, "
                             f"else {max(SCALES):g}, the largest offered)")
    parser.add_argument("--ensemble", type=int, default=DEFAULT_MEMBERS,
                        help=f"seeds of each setting's ensemble, run in the background for the bands and P(met) "
                             f"(default {DEFAULT_MEMBERS}; 0: one draw only)")
    parser.add_argument("--classroom", action="store_true",
                        help="classroom mode (join code, scale cap) even on 127.0.0.1")
    parser.add_argument("--join-code", default=None, help="the join code to ask for in classroom mode "
                                                          "(default: a new random one, printed at start)")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port={args.port} is not a port number (1-65535)")
    if args.max_sessions < 1:
        parser.error(f"--max-sessions={args.max_sessions}: at least 1")
    if not args.idle_minutes > 0:
        parser.error(f"--idle-minutes={args.idle_minutes:g}: must be positive")
    if args.ensemble != 0 and not 2 <= args.ensemble <= MAX_MEMBERS:
        parser.error(f"--ensemble={args.ensemble}: 0 (one draw only) or 2 to {MAX_MEMBERS} seeds")
    if args.max_scale is not None and args.max_scale < min(SCALES):
        parser.error(f"--max-scale={args.max_scale:g}: at least {min(SCALES):g}, the smallest scale offered")
    classroom_mode = args.classroom or not is_loopback(args.host)
    if args.join_code is not None:
        if not classroom_mode:
            parser.error("--join-code needs classroom mode (--host beyond 127.0.0.1, or --classroom)")
        if len(clean_code(args.join_code)) < 4:
            parser.error("--join-code: at least 4 letters or digits")
    code = (clean_code(args.join_code) if args.join_code else new_code()) if classroom_mode else None
    max_scale = args.max_scale if args.max_scale is not None else (CLASSROOM_MAX_SCALE if classroom_mode else None)
    return args, Classroom(max_sessions=args.max_sessions, idle_s=args.idle_minutes * 60, max_scale=max_scale,
                           join_code=code, ensemble=args.ensemble)


def main(argv: list[str] | None = None) -> None:
    args, room = parse(argv)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(ENV)},  # only this command's settings
           "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no phoning home (and no network anyway)
           "SOLARA_THEME_SHOW_BANNER": "False",  # solara's corner badge would cover the scorecard on a projector
           # write websocket frames from the session's own thread, not one event-loop round trip per message:
           # a step's few messages then cost the server little, also with many sessions
           "SOLARA_SERVER_SYNC_WS_WRITE": os.environ.get("SOLARA_SERVER_SYNC_WS_WRITE", "true"),
           # a page that lost its connection keeps its session as long as an idle one would be kept
           "SOLARA_KERNEL_CULL_TIMEOUT": f"{max(int(room.idle_s), 1)}s", **room.to_env()}
    print(f"dtsim-workshop: open http://{args.host}:{args.port} in a browser (Ctrl-C stops the server)", flush=True)
    scales = f"scale at most {room.max_scale:g}" if room.max_scale is not None else "any scale"
    print(f"dtsim-workshop: at most {room.max_sessions} sessions, {scales} per session; a session idle for "
          f"{room.idle_s / 60:g} minutes is closed", flush=True)
    if room.join_code:
        print(f"dtsim-workshop: JOIN CODE {room.join_code} (participants type it once per browser session)",
              flush=True)
    # solara's own server; exec so that Ctrl-C and a test's terminate() reach it directly
    os.execve(sys.executable, [sys.executable, "-m", "solara", "run", "experiments.workshop.app", "--host", args.host,
                               "--port", str(args.port), "--production", "--no-open"], env)


if __name__ == "__main__":
    main()

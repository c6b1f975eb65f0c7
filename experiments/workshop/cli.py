"""`dtsim-workshop`: serve the workshop app (Solara) on this machine, offline.

    dtsim-workshop                      # http://127.0.0.1:8765
    dtsim-workshop --port 9000
    dtsim-workshop --host 0.0.0.0       # a classroom network: anyone who can reach this machine can use it
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="dtsim-workshop", description="Serve the dtsim workshop app.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this "
                                                            "machine only)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port={args.port} is not a port number (1-65535)")
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}  # no phoning home (and no network anyway)
    print(f"dtsim-workshop: open http://{args.host}:{args.port} in a browser (Ctrl-C stops the server)", flush=True)
    # solara's own server; exec so that Ctrl-C and a test's terminate() reach it directly
    os.execve(sys.executable, [sys.executable, "-m", "solara", "run", "experiments.workshop.app", "--host", args.host,
                               "--port", str(args.port), "--production", "--no-open"], env)


if __name__ == "__main__":
    main()

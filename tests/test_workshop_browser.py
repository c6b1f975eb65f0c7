"""The workshop app in a real browser: start `dtsim-workshop` on a free port, load the page in Debian's chromium
(driven by playwright; never `playwright install`), move a lever, Reset, step, and check that the chart (drawn in the
browser by ECharts, which writes what it shows into the chart's aria-label) and the scorecard changed, that the
monitoring view draws and the network view follows the quarter (its title, as ECharts draws it), and that a second
session has its own model. Saves screenshots and the measured times to outputs/workshop-test/ (timings are
reported, never asserted). With DTSIM_WRITE_DOCS=1 `test_guide_picture` also writes the guide's screenshot,
docs/img/workshop.png (the plan, seed 0, played to 2025Q4 with its band complete), so that the guide's picture is
always the app as it is; otherwise that picture goes to outputs/workshop-test/ only. The ensemble band, pinned runs
and the projector sizes are in test_workshop_projector.py, the classroom features (join code, caps, idle expiry)
in test_workshop_classroom.py; both use `workshop_server`, `launch` and the helpers from here.

Every wait is for a state that, once reached, stays (a quarter reached or passed, a run paused, a button's label, an
ensemble complete), never for a moment that a fast machine may run past, with generous timeouts for a slow one."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from agents.vocabulary import quarter_index

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "outputs" / "workshop-test"
GUIDE_PICTURE = ROOT / "docs" / "img" / "workshop.png"
WRITE_DOCS = os.environ.get("DTSIM_WRITE_DOCS") == "1"
TIMEOUT_MS = 120_000  # any one wait: a loaded machine may take long, a fast one passes at once

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the workshop extra is not installed
    sync_playwright = None

_missing = [what for what, ok in (("playwright", sync_playwright is not None),
                                  (CHROMIUM, os.path.exists(CHROMIUM))) if not ok]
if _missing and os.environ.get("CI"):  # CI installs both (.ci/run): a missing one there is a failure, not a skip
    raise RuntimeError(f"workshop browser test needs {', '.join(_missing)} (installed by .ci/run)")
pytestmark = pytest.mark.skipif(bool(_missing), reason=f"needs {', '.join(_missing)}: "
                                                       "bash scripts/setup-venv.sh; apt-get install -y chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def workshop_server(*args: str, log_name: str = "server.log"):
    """`dtsim-workshop --port N [args]` (the documented command), stopped however the block ends; yields the URL and
    the path of its log (stdout and stderr: the join code, seats opened and closed)."""
    port = _free_port()
    exe = shutil.which("dtsim-workshop", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "experiments.workshop.cli"]
    OUT.mkdir(parents=True, exist_ok=True)
    log_path = OUT / log_name
    log = open(log_path, "w")
    proc = subprocess.Popen([*cmd, "--port", str(port), *args], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # its own process group: stopped with it below
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                assert proc.poll() is None, f"server exited: {log_path.read_text()[-2000:]}"
                assert time.monotonic() < deadline, "server did not answer within 90 s"
                time.sleep(0.5)
        yield url, log_path
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def server():
    with workshop_server() as (url, _):
        yield url


@contextlib.contextmanager
def launch():
    """Debian's chromium, headless; any request to another host than 127.0.0.1 is aborted."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser):
    """A page in a browser context of its own: a browser session of its own (its own cookie)."""
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/])"), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def _open(browser, url: str):
    page = new_page(browser)
    start = time.perf_counter()
    page.goto(url)
    for selector in (".dt-scorecard", ".dt-trade-chart [aria-label]", ".dt-city-chart [aria-label]", ".dt-step"):
        page.locator(selector).wait_for()
    return page, time.perf_counter() - start


def _chart(page, name: str, quarter: str) -> None:
    """Wait until the chart's aria-label (written by ECharts as it draws the option) names `quarter`."""
    page.locator(f".{name} [aria-label*='{quarter}']").wait_for()


def _step(page, button: str, quarter: str) -> float:
    """Press Step or +1 year and wait for the quarter it leads to (the run moves only on a press)."""
    start = time.perf_counter()
    page.locator(button).click()
    page.locator(".dt-quarter", has_text=f"quarter: {quarter}").wait_for()
    return time.perf_counter() - start


def _quarter(page) -> int:
    """The quarter the page shows, as an index (-1: end-2019, not started)."""
    text = page.locator(".dt-quarter").inner_text()
    return -1 if "not started" in text else quarter_index(text.split("quarter:")[1].strip())


def _wait_until(check, what: str, timeout_s: float = TIMEOUT_MS / 1000) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout_s:.0f} s: {what}"
        time.sleep(0.2)


def _set_slider(slider, value: str) -> None:
    """Arrow keys until the slider reads `value` (re-read after each press: a redraw may lag behind the keys)."""
    def there() -> bool:
        now = float(slider.get_attribute("aria-valuenow"))
        if now != float(value):
            slider.press("ArrowRight" if now < float(value) else "ArrowLeft")
            return False
        return True
    slider.focus()
    _wait_until(there, f"slider at {value}")


CHART_TEXTS = """(sel) => {
  const box = document.querySelector(sel + ' [_echarts_instance_]');
  const echarts = Object.values(window.requirejs.s.contexts._.defined).find(m => m && m.getInstanceByDom);
  const zr = echarts.getInstanceByDom(box).getZr();
  const out = [];
  zr.storage.getDisplayList(true).forEach(d => {
    if (!d.style || d.style.text == null || String(d.style.text) === '' || d.invisible || d.ignore) return;
    const m = /(\\d+(?:\\.\\d+)?)px/.exec(d.style.font || '');
    const r = d.getBoundingRect().clone();
    const t = d.getComputedTransform && d.getComputedTransform();
    if (t) r.applyTransform(t);
    out.push({text: String(d.style.text), size: m ? +m[1] : +(d.style.fontSize || 12),
              left: r.x, right: r.x + r.width, top: r.y});
  });
  return {width: zr.getWidth(), height: zr.getHeight(), texts: out};
}"""

def chart_texts(page, name: str) -> dict:
    """Every text ECharts has drawn in a chart: its string, font size (px) and horizontal extent."""
    return page.evaluate(CHART_TEXTS, f".{name}")


def test_move_a_lever_step_and_sessions_are_separate(server):
    with launch() as browser:
        a, load_a = _open(browser, server)
        assert "dtsim seed=0 scale=0.05" in a.locator(".dt-status").inner_text()
        score0 = a.locator(".dt-scorecard").inner_text()
        _chart(a, "dt-trade-chart", "not started")

        # move a lever: the special fund's budget slider, 1.0 -> 2.0 CNY bn/year, by keyboard
        a.get_by_role("button", name="Special fund (grants)").click()
        slider = a.get_by_role("slider").first
        assert slider.get_attribute("aria-valuenow") == "1"
        _set_slider(slider, "2")
        a.locator(".dt-pending", has_text="policy.fund.annual_budget_cny=2e9").wait_for()
        a.locator(".dt-reset").click()
        a.locator(".dt-status", has_text="policy.fund.annual_budget_cny=2e9").wait_for()
        a.locator(".dt-pending").wait_for(state="detached")  # the new run is what the controls say
        # the legend and the status line say what runs (the effective settings), not the preset's name
        assert "plan, policy.fund.annual_budget_cny=2e9" in a.locator(".dt-status").inner_text()

        steps = [_step(a, ".dt-step", q) for q in ("2020Q1", "2020Q2")]
        year = _step(a, ".dt-year", "2021Q2")  # four quarters at once
        a.locator(".dt-scorecard", has_text="2021Q2").wait_for()  # "so far, 2021Q2": the panel is redrawn
        score1 = a.locator(".dt-scorecard").inner_text()
        assert score1 != score0 and "USD" in score1.split("T1")[1].split("T2")[0]  # T1 now has a value
        assert "same quarter" in score1  # the no-plan run at the same quarter, not at its end
        _chart(a, "dt-trade-chart", "to 2021Q2,")  # drawn in the browser from the new data
        _chart(a, "dt-city-chart", "2021Q2")
        assert a.locator(".dt-trade-chart canvas").count() >= 1

        # the monitoring view: the index by city (or why there is none), the milestone, the phasing
        a.get_by_role("button", name="Index & phasing").click()
        a.locator(".dt-phasing", has_text="Hangzhou").wait_for()
        a.locator(".dt-milestone").wait_for()
        a.locator(".dt-index-chart [aria-label*='2021Q2'], .dt-index-missing").first.wait_for()
        phasing = a.locator(".dt-phasing").inner_text()
        assert "levers acting in 2021Q2" in phasing and "fund" in phasing.split("Hangzhou")[1].split("\n")[0]
        _step(a, ".dt-step", "2021Q3")  # the visible view follows the steps
        a.locator(".dt-phasing", has_text="levers acting in 2021Q3").wait_for()
        a.screenshot(path=str(OUT / "workshop-monitor.png"), full_page=True)

        # the network view follows the model: its title names the quarter, and a step redraws it
        a.get_by_role("button", name="Network").click()
        _chart(a, "dt-network", "Network in 2021Q3")
        assert any("Network in 2021Q3" in t["text"] for t in chart_texts(a, "dt-network")["texts"])  # the title
        _step(a, ".dt-step", "2021Q4")
        _chart(a, "dt-network", "Network in 2021Q4")
        drawn = [t["text"] for t in chart_texts(a, "dt-network")["texts"]]
        assert any("Network in 2021Q4" in t for t in drawn) and any(t.startswith("Hangzhou") for t in drawn)
        a.get_by_role("button", name="Targets").click()
        _chart(a, "dt-trade-chart", "to 2021Q4,")

        # a second participant: a fresh model at the start, with the default controls
        b, load_b = _open(browser, server)
        assert "quarter: end-2019" in b.locator(".dt-quarter").inner_text()
        assert "annual_budget_cny" not in b.locator(".dt-status").inner_text()
        _step(b, ".dt-step", "2020Q1")
        assert "quarter: 2021Q4" in a.locator(".dt-quarter").inner_text()  # B's step did not move A
        start = time.perf_counter()
        b.locator(".dt-play").click()  # Play runs quarter after quarter until Pause (or the horizon)
        _wait_until(lambda: _quarter(b) >= quarter_index("2020Q4"), "Play reached 2020Q4")  # or passed it
        played = time.perf_counter() - start
        # Pause; a click on the disabled Play of a run that reached its horizon meanwhile does nothing
        b.locator(".dt-play").click(force=True)
        b.locator(".dt-play", has_text="Play").wait_for()
        b.locator(".dt-quarter:not(.dt-playing)").wait_for()  # the playing loop has stopped
        paused = _quarter(b)
        assert paused >= quarter_index("2020Q4")
        time.sleep(1.0)  # paused stays paused
        assert _quarter(b) == paused and "2021Q4" in a.locator(".dt-quarter").inner_text()
        _record({"load_first_s": load_a, "load_second_s": load_b, "step_s": steps, "year_step_s": year,
                 "play_3_quarters_s": played})


def _record(times: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "timings.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**old, **times}, indent=2))
    print(f"\nworkshop page: {times}")


def _band_complete(page, timeout_s: float = TIMEOUT_MS / 1000) -> float:
    """Seconds until the trade chart says its ensemble is complete (ECharts writes the option's aria text)."""
    start = time.perf_counter()
    page.locator(".dt-trade-chart [aria-label*='(complete)']").wait_for(timeout=timeout_s * 1000)
    return time.perf_counter() - start


def test_guide_picture(server):
    """The guide's screenshot: the plan, seed 0, played to 2025Q4 with its band complete (docs/img/workshop.png
    with DTSIM_WRITE_DOCS=1, else outputs/workshop-test/workshop-guide.png)."""
    with launch() as browser:
        page = new_page(browser)
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.goto(server)
        page.locator(".dt-step").wait_for()
        for year in range(2020, 2026):
            _step(page, ".dt-year", f"{year}Q4")
        _band_complete(page)
        _chart(page, "dt-trade-chart", "to 2025Q4,")
        page.locator(".dt-scorecard", has_text="2025").wait_for()
        path = GUIDE_PICTURE if WRITE_DOCS else OUT / "workshop-guide.png"
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path))
        print(f"\nguide picture: {path}")

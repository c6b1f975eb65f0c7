"""The ensemble band, a pinned comparison and the projector sizes, in Debian's chromium (as
test_workshop_browser.py, whose server and helpers this uses): the band of the default settings and of new ones
(the time until each is complete goes to outputs/workshop-test/timings.json), a pinned run on the chart and in the
scorecard, the exchange-rate view, and at 1024x768, 1280x720 and 1920x1080: nothing outside the page or its box,
no badge over the page, no chart text outside its chart or over another, and every chart text at least 14 px at
1280x720 — measured in what ECharts has drawn (its display list), not in the options sent."""

from __future__ import annotations

import time

import pytest

from tests.test_workshop_browser import (OUT, _band_complete, _record, chart_texts, launch, new_page,
                                         workshop_server)
from tests.test_workshop_browser import pytestmark  # noqa: F401 — skipped where the browser test is

SIZES = ((1024, 768), (1280, 720), (1920, 1080))
MIN_FONT = 14  # px, any text drawn on a chart at 1280x720

@pytest.fixture(scope="module")
def server():
    with workshop_server(log_name="projector-server.log") as (url, _):
        yield url


CLIPPED = """() => {
  const page = document.documentElement, main = document.querySelector('.dt-main');
  const right = main.getBoundingClientRect().right;
  const bad = [];
  if (page.scrollWidth > page.clientWidth + 1) bad.push('the page scrolls sideways: ' + page.scrollWidth);
  for (const el of document.querySelectorAll('.dt-main .dt-text table, .dt-chart, .dt-runbar, .dt-status, .dt-pins')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    if (r.right > right + 1 || r.left < -1) bad.push(el.className + ': ' + r.left + '..' + r.right + ' > ' + right);
  }
  for (const el of document.querySelectorAll('body *')) {
    if (el.children.length === 0 && /This website runs on|Made with Solara/.test(el.textContent)
        && el.getBoundingClientRect().width > 0) bad.push('a badge: ' + el.textContent);
  }
  return bad;
}"""



def _texts_inside(page, name: str) -> list[str]:
    """Texts of a chart drawn (partly) outside its box: clipped."""
    found = chart_texts(page, name)
    return [f"{name}: {t['text'][:40]!r} at {t['left']:.0f}..{t['right']:.0f} of {found['width']}"
            for t in found["texts"] if t["left"] < -1 or t["right"] > found["width"] + 1]


def _overlapping(page, name: str) -> list[str]:
    """Pairs of texts of a chart drawn over each other (a legend over the axis labels, a title over a panel's)."""
    texts = [t for t in chart_texts(page, name)["texts"] if t["text"].strip()]
    out = []
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1 \
                    and abs(a["top"] - b["top"]) < 0.8 * min(a["size"], b["size"]):
                out.append(f"{name}: {a['text'][:30]!r} over {b['text'][:30]!r}")
    return out


def _small_fonts(page, name: str) -> list[str]:
    found = chart_texts(page, name)
    assert found["texts"], f"{name}: no text drawn"
    return [f"{name}: {t['text'][:40]!r} {t['size']} px" for t in found["texts"] if t["size"] < MIN_FONT]


def test_ensemble_band_pinned_comparison_and_projector_sizes(server):
    with launch() as browser:
        page = new_page(browser)
        page.set_viewport_size({"width": 1280, "height": 720})
        start = time.perf_counter()
        page.goto(server)
        page.locator(".dt-step").wait_for()
        _band_complete(page)
        first_band = time.perf_counter() - start  # from the page's request
        # the band: median and 5-95 % of the ensemble, for this setting and for no plan, named in the legend
        aria = page.locator(".dt-trade-chart [aria-label]").get_attribute("aria-label")
        assert "ensemble of 10 of 10 seeds (complete)" in aria
        legend = [t["text"] for t in chart_texts(page, "dt-trade-chart")["texts"]]
        assert any(t.startswith("plan: median, 5–95 % of 10 seeds") for t in legend), legend
        assert any(t.startswith("no plan: median, 5–95 %") for t in legend)
        table = page.locator(".dt-ensemble").inner_text()
        assert "P(met)" in table and "per yuan" in table and "95 % interval" in table

        # pin the plan, then run 'fund only' (preset: no plan, then the fund's switch): its band is computed anew
        page.locator(".dt-pin-button").click()
        page.locator(".dt-pin-1", has_text="pin 1: plan").wait_for()
        page.get_by_role("button", name="no plan (all levers off)").click()
        page.get_by_role("button", name="Special fund (grants)").click()
        page.locator(".dt-panel .v-input--switch").first.click()  # the fund's "on": its first control
        page.locator(".dt-pending", has_text="fund only").wait_for()
        start = time.perf_counter()
        page.locator(".dt-reset").click()
        page.locator(".dt-status", has_text="fund only").wait_for()
        _band_complete(page)
        new_band = time.perf_counter() - start  # from Reset: these settings' ensemble had not run before
        aria = page.locator(".dt-trade-chart [aria-label]").get_attribute("aria-label")
        assert "one draw of fund only" in aria and "pinned runs: 1" in aria
        drawn = [t["text"] for t in chart_texts(page, "dt-trade-chart")["texts"]]
        assert any(t.startswith("pin 1: plan (median)") for t in drawn), drawn
        assert "pin 1: plan" in page.locator(".dt-ensemble").inner_text()  # a column of the scorecard
        page.screenshot(path=str(OUT / "workshop-pinned.png"), full_page=True)

        # the exchange-rate view: the rate this run uses, beside the other scenarios
        page.get_by_role("button", name="Exchange rate").click()
        page.locator(".dt-fx-chart [aria-label*='world.fx=central']").wait_for()
        page.get_by_role("button", name="Targets").click()

        # projector sizes: nothing outside the page or its box, no badge, chart texts inside their charts
        problems = []
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            time.sleep(1.0)  # the charts follow their boxes (ResizeObserver)
            page.evaluate("window.scrollTo(0, 0)")
            problems += [f"{width}x{height}: {p}" for p in page.evaluate(CLIPPED)]
            for name in ("dt-trade-chart", "dt-city-chart"):
                problems += [f"{width}x{height}: {p}" for p in _texts_inside(page, name) + _overlapping(page, name)]
            page.screenshot(path=str(OUT / f"workshop_{width}x{height}.png"))
        page.set_viewport_size({"width": 1280, "height": 720})
        time.sleep(1.0)
        fonts = _small_fonts(page, "dt-trade-chart") + _small_fonts(page, "dt-city-chart")
        for view, name in (("Exchange rate", "dt-fx-chart"), ("Network", "dt-network"),
                           ("Index & phasing", "dt-index-chart")):
            page.get_by_role("button", name=view).click()
            page.locator(f".{name} [aria-label]").wait_for()
            fonts += _small_fonts(page, name)
            problems += _texts_inside(page, name) + _overlapping(page, name)
        assert not problems, "clipped or covered:\n  " + "\n  ".join(problems)
        assert not fonts, f"chart text under {MIN_FONT} px at 1280x720:\n  " + "\n  ".join(fonts)

        # the controls panel folds away (projector), and a pinned run can be removed
        page.get_by_role("button", name="Targets").click()
        page.locator(".dt-fold").click()
        page.locator(".dt-panel").wait_for(state="detached")
        page.locator(".dt-unpin").first.click()
        page.locator(".dt-pin-1").wait_for(state="detached")
        page.locator(".dt-fold").click()
        page.locator(".dt-panel").wait_for()
        _record({"band_complete_first_page_s": first_band, "band_complete_new_settings_s": new_band})

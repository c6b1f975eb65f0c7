"""The teaching-workshop app: the plan's levers, Step/Play/Reset, live charts, ensemble bands, pinned comparisons.

settings.py (presets and controls -> Hydra config and dtsim command; what runs, in words), session.py (the model
and its no-plan counterfactual, live scorecard, pins), ensemble.py (the seeds of a setting and of no plan, run in
the background and summarised by the project's one rule), levers.py (the controls, from model.policy.LEVERS and the
config schema), monitor.py (the index, the phasing and the milestone as data), views.py with charts.py,
network_view.py and index_view.py (the charts as ECharts options, drawn by the browser), panels.py (text),
classroom.py (join code, session cap, scale cap, idle expiry, one session's errors kept to it), components.py and
app.py (the Solara page), cli.py (`dtsim-workshop`), exercises.py (the guide's tables). No UI code outside app.py
and components.py. Guide: docs/workshop.md; benchmarks: benchmarks/workshop_load.py, benchmarks/workshop_ensemble.py.
"""

"""The teaching-workshop app: the plan's levers as sliders, Step/Play/Reset, live charts, scorecard and index.

settings.py (presets and controls -> Hydra config and dtsim command), session.py (the model and its no-plan
counterfactual, live scorecard), levers.py (the controls and what each lever does), monitor.py (the index, the
phasing and the milestone as data), views.py (the charts as ECharts options, drawn by the browser) and panels.py
(text), classroom.py (join code, session cap, scale cap, idle expiry, one session's errors kept to it), app.py (the
Solara page), cli.py (`dtsim-workshop`). No UI code outside app.py. Guide: docs/workshop.md; load benchmark:
benchmarks/workshop_load.py.
"""

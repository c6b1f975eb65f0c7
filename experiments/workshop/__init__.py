"""The teaching-workshop app: the plan's levers as sliders, Step/Play/Reset, live charts and scorecard.

settings.py (presets and controls -> Hydra config and dtsim command), session.py (the model and its no-plan
counterfactual, live scorecard), levers.py (the controls and what each lever does), views.py and panels.py
(figures and text), app.py (the Solara page), cli.py (`dtsim-workshop`). No UI code outside app.py.
Guide: docs/workshop.md.
"""

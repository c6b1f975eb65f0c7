# make baseline — set up .venv (first time) and run the plan-as-written scenario with its target scorecard
# make test     — set up .venv (first time) and run the test suite
# make workshop — set up .venv (first time) and serve the workshop app on http://127.0.0.1:8765 (docs/workshop.md)
VENV := .venv

.PHONY: baseline test workshop
baseline: $(VENV)/.installed
	$(VENV)/bin/dtsim

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest -q

workshop: $(VENV)/.installed
	$(VENV)/bin/dtsim-workshop

$(VENV)/.installed: pyproject.toml scripts/setup-venv.sh
	bash scripts/setup-venv.sh
	touch $@

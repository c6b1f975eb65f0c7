# make baseline — set up .venv (first time) and run the plan-as-written scenario with its target scorecard
# make test     — set up .venv (first time) and run the test suite
VENV := .venv

.PHONY: baseline test
baseline: $(VENV)/.installed
	$(VENV)/bin/dtsim

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest -q

$(VENV)/.installed: pyproject.toml scripts/setup-venv.sh
	bash scripts/setup-venv.sh
	touch $@

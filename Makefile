# Two commands set everything up on a fresh Debian machine with only Python:
#   make demo   install (with JupyterLab for the notebooks), then build the mixed-methods report
#               of the demo project into out/
#   make test   install with test extras, then lint, type check and the whole test suite
# and the benchmarks of tymqual at scale (benchmarks/run.py; results in benchmarks/results/):
#   make bench        4, 100 and 1,000 synthetic interviews (minutes: ~8 million words at 1,000)
#   make bench-small  4 interviews only, the size the test suite (and so CI) runs
#   make bench-history  the cost of the codings history (p.code, autocoding, undo)
#   make bench-leaks    the leak check's recall on every form of 30 made-up names
#   make bench-ledger   the CSV ledger at 10,000 to 400,000 machine suggestions
#   make bench-kela     1,000 interviews beside 200,000 survey respondents (about 20 minutes)
#   make bench-search   Finnish search against UD_Finnish-FTB's gold lemmas (needs ../shared)
#   make bench-heldout  Finnish search on held-out administrative and legal prose, hand gold (needs ../shared)
#   make bench-agreement  alpha against the krippendorff package; unitizing alpha at 1,000 interviews
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
APT_PACKAGES := chromium libvoikko1 voikko-fi libreoffice-calc-nogui libreoffice-writer-nogui
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test install install-test system-deps lint typecheck clean bench bench-small \
	bench-history bench-leaks bench-ledger bench-search bench-heldout bench-agreement bench-kela

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The notebook extra (JupyterLab, anywidget) comes too: the notebooks and p.coder() need it.
install: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[notebook]"

install-test: $(BIN)/python system-deps
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/pip install --quiet --no-deps "irrCAC>=0.4.4"

# Debian's Chromium renders the HTML report in the browser tests, LibreOffice proves exported
# cells stay inert text, and Voikko analyses Finnish
# words; where apt is absent the browser tests skip and search falls back to simplemma

system-deps:
	@if command -v apt-get >/dev/null 2>&1; then \
	  missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	  fi; \
	else echo "apt-get not found: install $(APT_PACKAGES) yourself for the browser tests"; fi

demo: install
	$(BIN)/tymqual status .
	$(BIN)/tymqual report . --out out

lint: install-test
	$(BIN)/ruff check tymqual tests benchmarks

typecheck: install-test
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/run.py --sizes 4 100 1000

bench-small: install
	$(BIN)/python benchmarks/run.py --sizes 4

bench-kela: install
	$(BIN)/python benchmarks/run.py --sizes 1000 --respondents 200000 --repeats 1 --no-trace \
		--out benchmarks/results-kela

# what the codings history adds to p.code() (thesis size) and to autocoding 1,000 interviews
# The krippendorff package is the baseline alpha is timed against.
bench-agreement: install
	$(BIN)/pip install --quiet "krippendorff>=0.6"
	$(BIN)/python benchmarks/agreement.py

bench-history: install
	$(BIN)/python benchmarks/history.py --sizes 4 1000

# the leak check's recall on 300 planted forms of made-up names, and what pseudonymising leaves
bench-leaks: install
	$(BIN)/python benchmarks/leaks.py

# recall and precision of search against gold lemmas and the baselines, and its speed
bench-search: install
	$(BIN)/python benchmarks/search_eval.py

# the same search on held-out genres (ministers' answers, statutes) against our hand-annotated gold
bench-heldout: install
	$(BIN)/python benchmarks/search_heldout.py

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache .mypy_cache .ruff_cache

bench-ledger: install
	$(BIN)/python benchmarks/ledger.py --rows 10000 100000 400000 --memory

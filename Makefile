# Two commands set everything up on a fresh machine: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STORE   := out/store
SHARED  ?= ../shared
EVAL    ?= out/eval

.PHONY: run test install browser eval quality quality-seed train bench clean

$(BIN)/kg: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/kg

# Bytecode compiled ahead: where PYTHONDONTWRITEBYTECODE is set, every `kg` process would
# otherwise compile the package's sources again (0.2 s of a one-document rebuild).
install: $(BIN)/kg
	@$(BIN)/python -m compileall -q kg

run: install
	$(BIN)/kg build data/corpus --store $(STORE)
	$(BIN)/kg export --store $(STORE) --format ttl --output out/graph.ttl
	$(BIN)/kg export --store $(STORE) --format nt --output out/graph.nt
	$(BIN)/kg viz --store $(STORE) --output out/graph.html
	@echo "graph: out/graph.ttl  view: out/graph.html  store: $(STORE)"

test: install browser
	$(BIN)/python -m pytest

# The browser tests drive Debian's Chromium through Playwright (no Playwright browser download);
# a CJK font makes the screenshots readable. Installed only when missing.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
browser:
	@if [ ! -x $(CHROMIUM) ] || [ ! -e $(CJK_FONT) ]; then \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    echo "installing chromium and a CJK font with apt-get"; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	        chromium fonts-wqy-microhei >/dev/null; \
	fi

# Dev-set score against the gold annotation in ../shared/eval (fresh store each time).
eval: install
	rm -rf $(EVAL) && $(BIN)/kg build data/corpus --store $(EVAL)/store
	$(BIN)/kg export --store $(EVAL)/store --format nt --output $(EVAL)/graph.nt
	$(BIN)/python $(SHARED)/eval/evaluate.py --gold $(SHARED)/eval/gold-dev.json \
	    --graph $(EVAL)/graph.nt --corpus data/corpus --show $${SHOW:-15}

# Rebuild every shipped model (kg/models) from the gold texts in $(SHARED) and data/gold,
# leaving out the locked split; deterministic (same files byte for byte). About 3 minutes.
train: install
	$(BIN)/python -m kg.learn.train

# 5-fold cross-validation by document over all gold texts, both --ner settings, and the
# locked split scored once; writes out/quality.json and the README's quality table. ~15 minutes.
quality: install
	$(BIN)/python -m kg.learn.crossval --locked --json out/quality.json --readme README.md

# The older per-seed-text tables (the grammars' in-sample view and tests/unseen, tests/heldout).
quality-seed: install
	$(BIN)/python bench/quality.py --write

# Speed and scale, side by side in one run (not part of `make test`; about 35 minutes on
# two cores): build against jieba.lcut, 1x/4x/16x scaling, --jobs 2, incremental rebuilds,
# the saved queries against rdflib, export/import against pyoxigraph. Quick look:
# make bench BENCH_ARGS="--chars 200000 --scales 1,4"
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/bench_ner.py $(NER_ARGS)

clean:
	rm -rf out

# Two set-up commands: `make test` and `make demo`. Both create .venv and install torch's CPU pin first
# (an open torch requirement would pull a multi-GB CUDA build on these machines).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo install lint clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check advkit embeddings cli tests benchmarks
	$(BIN)/ruff format --check advkit embeddings cli tests benchmarks
	$(BIN)/mypy advkit embeddings cli

test: $(STAMP) lint
	HF_HUB_OFFLINE=1 $(LOCAL_DATA) $(BIN)/pytest -q

# Offline machines: NLTK data and the counter-fitting constraint files from ../shared when it is there
# (with a network, advkit downloads them instead).
SHARED := $(abspath ../shared)
LOCAL_DATA := $(if $(wildcard $(SHARED)/nltk_data),NLTK_DATA=$(SHARED)/nltk_data ADVKIT_LEXICAL_DIR=$(SHARED)/data/lexical,)

demo: $(STAMP)
	$(LOCAL_DATA) $(BIN)/advkit demo

clean:
	rm -rf $(VENV) runs

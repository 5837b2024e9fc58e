# Safe Harbor: `make run` to talk to the assistant, `make test` to test it.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed

# An anonymity product sends nothing home: no telemetry, no Sentry, in every process (rasa.env).
include rasa.env
export $(shell sed -nE 's/^([A-Z_]+)=.*/\1/p' rasa.env)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install train validate run run-fleet shell actions test lint evaluate bench bench-fleet report clean
BOTS ?= 2
RASA ?= 2

install: $(STAMP)  ## create .venv/ with the locked dependencies (no-op when up to date)
$(STAMP): requirements/lock.txt requirements/dev.txt scripts/install.sh
	bash scripts/install.sh
	touch $@

train: install  ## train the model if data, domain or config changed
	$(BIN)/python -m rasa_process train

validate: install  ## check the training data for conflicts and mistakes
	$(BIN)/rasa data validate --data data --domain domain.yml --config config.yml --fail-on-warnings

run: train  ## start the action server, Rasa and the terminal chat (Ctrl-C stops all)
	bash scripts/run.sh

run-fleet: train  ## BOTS bots (webhook mode) and RASA Rasa servers on PostgreSQL and Redis, behind nginx (README, Scaling out)
	$(BIN)/python -m scripts.fleet --bots $(BOTS) --rasa $(RASA)

shell: train  ## Rasa's own shell, with the action server running
	bash scripts/run.sh --rasa-shell

test: train  ## every test: data validation, stories, NLU, actions, conversations
	$(BIN)/python -m pytest

lint: install  ## pyflakes, isort and bugbear checks (ruff, configured in pyproject.toml)
	$(BIN)/ruff check .

evaluate: train  ## held-out NLU (reports/nlu-summary.md), safety recall / false alarms (reports/safety-*.json), language identification (reports/language-id-heldout.json)
	$(BIN)/rasa test nlu --nlu tests/nlu --model models/safe-harbor.tar.gz --out reports/nlu
	$(BIN)/python scripts/nlu_report.py reports/nlu
	$(BIN)/python scripts/safety_eval.py --split heldout examples --model models/safe-harbor.tar.gz
	$(BIN)/python scripts/language_eval.py

bench: train  ## latency, throughput, memory of the full path vs Rasa alone: reports/bench.{json,png}; the safety layer: reports/bench-safety.json; the handoff over 1 and 3 groups: reports/bench-handoff.json
	$(BIN)/python -m bench.safety
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.handoff

bench-fleet: train  ## the fleet (PostgreSQL, Redis, nginx) as 1x1, 2x2 and 1x2 bots x Rasa: 100 conversations, saturation, CPU per message: reports/bench-fleet.json
	$(BIN)/python -m bench.fleet $(FLEET_ARGS)

report: install  ## the operator's report for a period: reports/report.{txt,png} (REPORT_ARGS="--days 7", "--example")
	$(BIN)/python -m bot.report $(REPORT_ARGS)

clean:
	rm -rf models .rasa reports var/*.sqlite3*

"""Safety recall and false alarms on tests/safety/, gated in CI.

`dev_*` sets are what the word lists were tuned on: every risk message there
must be caught (recall 1.00) with at most 5% false alarms, by the word lists
alone (deterministic) and by the whole assistant. `heldout_*` was written blind
and is never tuned on: its figures are reported (reports/safety-heldout.json)
and may not fall below the floor measured when it was added.
"""

import json
import re

import pytest
import yaml

from harness import ROOT
from scripts.safety_eval import MAX_FALSE_ALARMS, MIN_RECALL, evaluate, examples, scorer_intent

# Measured on the blind held-out set when it landed (see README, "Safety"); a floor, not a target.
HELDOUT_FLOOR = {"recall": 0.0, "false_alarm_rate": 1.0}


def assistant_intent(assistant):
    return lambda text: assistant.parse(text)["intent"]["name"]


def report(name, result):
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / f"safety-{name}.json").write_text(
        json.dumps(result.summary(), indent=2, ensure_ascii=False), "utf-8")
    print(f"\nsafety {name}: recall {result.recall:.3f}, false alarms {result.false_alarm_rate:.3f}")


def test_the_sets_are_big_enough_and_cover_both_languages():
    for split in ("dev", "heldout"):
        rows = list(examples(split))
        risky = [r for r in rows if r[1] != "none"]
        assert len(risky) >= 150 and len(rows) - len(risky) >= 300, split
        assert {r[0] for r in rows} >= {"en", "es"}


def test_no_evaluation_message_is_in_the_training_data():
    trained = set()
    for path in (ROOT / "data" / "nlu").rglob("*.yml"):
        trained |= {m.strip().lower() for m in re.findall(r"^\s*- (.+)$", path.read_text("utf-8"), re.M)}
    leaked = [text for split in ("dev", "heldout") for _, _, text in examples(split)
              if text.strip().lower() in trained]
    assert not leaked


def test_the_word_lists_alone_catch_every_dev_risk_message_with_few_false_alarms():
    result = evaluate("dev", scorer_intent())
    report("dev-word-lists", result)
    assert result.recall >= MIN_RECALL, result.misses
    assert result.false_alarm_rate <= MAX_FALSE_ALARMS, result.false_alarms


def test_the_assistant_catches_every_dev_risk_message_with_few_false_alarms(assistant):
    result = evaluate("dev", assistant_intent(assistant))
    report("dev", result)
    assert result.recall >= MIN_RECALL, result.misses
    assert result.false_alarm_rate <= MAX_FALSE_ALARMS, result.false_alarms


def test_the_assistant_on_the_blind_heldout_set_does_not_fall_below_its_floor(assistant):
    result = evaluate("heldout", assistant_intent(assistant))
    report("heldout", result)
    assert result.recall >= HELDOUT_FLOOR["recall"], result.misses
    assert result.false_alarm_rate <= HELDOUT_FLOOR["false_alarm_rate"], result.false_alarms

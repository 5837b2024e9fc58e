"""Safety recall and false alarms, gated in CI.

`data/safety/examples` is what the word lists were tuned on and the learned
model trains on: every risk message there must stay caught (recall 1.00) with
at most 5% false alarms, by the safety layer alone (deterministic) and by the
whole assistant. `tests/safety` was written blind and is never tuned on: its
figures are written to reports/safety-heldout.json and may not fall below the
floor measured when this layer landed (README, "Safety"). `tests/safety/dev`,
also written blind, is where the model cue is tuned; it is never trained on.
"""

import json
import re

from harness import ROOT
from scripts.safety_eval import MAX_FALSE_ALARMS, MIN_RECALL, evaluate, examples, scorer_intent

# Blind held-out figures of the whole assistant: recall 0.843, false alarms 0.073 when the layer
# landed; 0.940 and 0.078 after the lists were tuned on the dev split, 0.937 and 0.069 once the
# classifier's crisis or danger needed a signal in the layer (2026-12-04); 0.960 and 0.082 after
# the second blind dev split (the layer alone: 0.963, deterministic); 0.977 and 0.084 after two blind
# batches of examples for the model (2026-12-05; the layer alone 0.980). The floor leaves room for
# DIET's drift between CPUs (eight messages), and catches real loss.
HELDOUT_FLOOR = {"recall": 0.95, "false_alarm_rate": 0.10}


def assistant_intent(assistant):
    return lambda text: assistant.parse(text)["intent"]["name"]


def report(name, result):
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / f"safety-{name}.json").write_text(
        json.dumps(result.summary(), indent=2, ensure_ascii=False), "utf-8")
    print(f"\nsafety {name}: recall {result.recall:.3f}, false alarms {result.false_alarm_rate:.3f}")


def test_the_blind_set_is_big_enough_and_covers_both_languages():
    rows = list(examples("heldout"))
    risky = [r for r in rows if r[1] != "none"]
    assert len(risky) >= 150 and len(rows) - len(risky) >= 300
    assert {r[0] for r in rows} >= {"en", "es"}


def test_no_blind_message_is_in_anything_the_assistant_learns_from():
    learned = set()
    for path in (ROOT / "data").rglob("*.yml"):
        learned |= {m.strip().strip('"').lower() for m in re.findall(r"^\s*- (.+)$", path.read_text("utf-8"), re.M)}
    learned |= {text.strip().lower() for _, _, text in examples("examples")}
    leaked = [text for split in ("heldout", "dev") for _, _, text in examples(split)
              if text.strip().lower() in learned]
    assert not leaked


def test_the_dev_split_is_apart_from_the_blind_set_and_covers_three_languages():
    dev = list(examples("dev"))
    assert {r[0] for r in dev} == {"en", "es", "uk"}
    assert sum(r[1] != "none" for r in dev) >= 200 and sum(r[1] == "none" for r in dev) >= 300
    assert not {r[2].lower() for r in dev} & {r[2].lower() for r in examples("heldout")}


def test_the_safety_layer_alone_still_catches_every_example_it_learned_from():
    result = evaluate("examples", scorer_intent())
    report("examples-layer", result)
    assert result.recall >= MIN_RECALL, result.misses
    assert result.false_alarm_rate <= MAX_FALSE_ALARMS, result.false_alarms


def test_the_assistant_catches_every_risk_example_with_few_false_alarms(assistant):
    result = evaluate("examples", assistant_intent(assistant))
    report("examples", result)
    assert result.recall >= MIN_RECALL, result.misses
    assert result.false_alarm_rate <= MAX_FALSE_ALARMS, result.false_alarms


def test_the_assistant_on_the_blind_set_does_not_fall_below_its_floor(assistant):
    result = evaluate("heldout", assistant_intent(assistant))
    report("heldout", result)
    assert result.recall >= HELDOUT_FLOOR["recall"], result.misses
    assert result.false_alarm_rate <= HELDOUT_FLOOR["false_alarm_rate"], result.false_alarms

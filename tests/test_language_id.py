"""Language identification on blind held-out messages, per group, gated.

The detector trains deterministically on data/nlu/, so the figure is the same on
every run. Ukrainian typed in Latin letters counts as Ukrainian, and Russian is
answered in Ukrainian (scripts/language_eval.py says why). Thresholds were
tuned on tests/language/dev.yml only.
"""

import json

import pytest

from harness import ROOT
from scripts.language_eval import EXPECTED, MIN_ACCURACY, evaluate, trained_detector


@pytest.fixture(scope="module")
def results():
    found = evaluate(trained_detector(), "heldout")
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "language-id-heldout.json").write_text(json.dumps(found, ensure_ascii=False, indent=1))
    return found


@pytest.mark.parametrize("group", sorted(EXPECTED))
def test_each_language_is_identified_in_at_least_95_percent_of_held_out_messages(results, group):
    assert results[group]["n"] >= 40
    assert results[group]["accuracy"] >= MIN_ACCURACY, results[group]["misses"]

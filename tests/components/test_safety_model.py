"""The learned half of the safety net reads its own tables exactly as scikit-learn would."""

import pytest

from components.safety_model import labelled_examples
from components.safety_patterns import default_patterns
from scripts.safety_eval import examples


def test_the_fast_tables_give_the_same_probabilities_as_the_fitted_pipeline():
    patterns = default_patterns()
    model = patterns.model
    texts = [patterns.without_idioms(patterns.prepare(text)) for _, _, text in examples("dev")]
    expected = model._pipeline.predict_proba(texts)
    classes = list(model._pipeline.named_steps["classifier"].classes_)
    for text, row in zip(texts, expected, strict=True):
        got = model.probabilities(text)
        for kind, probability in got.items():
            assert probability == pytest.approx(row[classes.index(kind)], abs=1e-9), text


def test_every_labelled_example_has_a_known_label():
    assert {kind for _, kind in labelled_examples()} == {"self_harm", "danger", "none"}

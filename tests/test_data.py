"""Training data and domain: valid for Rasa, complete in every language."""

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from harness import BIN, ROOT, rasa_env

DESIGN_INTENTS = [
    "greet", "goodbye", "affirm", "deny", "thank", "bot_challenge", "ask_is_police",
    "request_advocate", "crisis_self_harm", "immediate_danger", "quick_exit", "forget_me",
    "change_language", "out_of_scope",
]
MIN_EXAMPLES = 15


def load(path: Path):
    return yaml.safe_load(path.read_text("utf-8"))


def domain():
    return load(ROOT / "domain.yml")


def languages():
    return domain()["slots"]["language"]["values"]


def examples_per_intent_and_language():
    counts = Counter()
    for path in (ROOT / "data" / "nlu").rglob("*.yml"):
        for block in load(path).get("nlu", []):
            if "intent" in block:
                language = (block.get("metadata") or {}).get("language")
                intent = block["intent"].split("/")[0]
                counts[intent, language] += len(re.findall(r"^\s*- ", block["examples"], re.M))
    return counts


def test_rasa_data_validate_is_clean():
    """Only warnings Rasa always gives are allowed: responses sent from custom
    actions ("not used in any story") and the retrieval-intent domain merge."""
    result = subprocess.run(
        [str(BIN / "rasa"), "data", "validate", "--data", "data", "--domain", "domain.yml",
         "--config", "config.yml", "--fail-on-warnings"],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    actions_source = "\n".join(p.read_text() for p in (ROOT / "actions").glob("*.py"))
    actions_source += (ROOT / "data" / "resources" / "needs.yml").read_text()
    for warning in re.findall(r"UserWarning: (.*)", result.stderr):
        unused = re.match(r"The utterance '(\w+)' is not used in any story or rule", warning)
        if unused:
            name = unused.group(1)
            declared = name in domain()["actions"]
            sent_by_name = name.startswith("utter_more_") and 'f"utter_more_{' in actions_source  # action_tell_more
            assert declared and (name in actions_source or name.startswith("utter_ask_") or sent_by_name), warning
        else:
            assert warning.startswith("The following duplicated intents have been found "
                                      "across multiple domain files: faq"), warning


@pytest.mark.parametrize("intent", DESIGN_INTENTS)
def test_every_required_intent_has_enough_examples_in_every_language(intent):
    counts = examples_per_intent_and_language()
    for language in languages():
        assert counts[intent, language] >= MIN_EXAMPLES, (intent, language, counts[intent, language])


def test_every_domain_intent_has_examples_in_every_language():
    counts = examples_per_intent_and_language()
    for intent in domain()["intents"]:
        for language in languages():
            assert counts[intent, language] >= MIN_EXAMPLES, (intent, language)


def condition_language(variation):
    conditions = variation.get("condition") or []
    return next((c["value"] for c in conditions if c["name"] == "language"), None)


@pytest.mark.parametrize("name", sorted(domain()["responses"]))
def test_every_response_exists_in_every_language_with_the_same_buttons(name):
    variations = domain()["responses"][name]
    by_language = {condition_language(v) or "en": v for v in variations}
    assert len(by_language) == len(variations), f"{name}: one variation per language"
    assert set(by_language) == set(languages()), name
    payloads = {lang: [b["payload"] for b in v.get("buttons", [])] for lang, v in by_language.items()}
    assert len({tuple(p) for p in payloads.values()}) == 1, f"{name}: buttons differ: {payloads}"
    placeholders = {lang: sorted(re.findall(r"{(\w+)}", v["text"])) for lang, v in by_language.items()}
    assert len({tuple(p) for p in placeholders.values()}) == 1, f"{name}: {placeholders}"


def test_english_is_the_unconditioned_default_variation():
    for name, variations in domain()["responses"].items():
        assert [v for v in variations if not v.get("condition")], name

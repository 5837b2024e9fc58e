"""What a supported language must have, checked from the files alone (no training).

The one list of languages is the `language` slot's values in domain.yml. For each
language in it, every intent and FAQ topic with English examples has examples
tagged with that language, every response has a variation for it (English is
the default variation) with the same buttons, the language-choice buttons offer
it, its name maps to it, the bot's texts have every key in it, and the safety
layer has its word lists and examples. docs/adding-a-language.md walks through it.

    python scripts/language_check.py            # every language in the list
    python scripts/language_check.py uk         # one
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set, Text

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = "en"  # the variation without a condition


def languages(root: Path = ROOT) -> List[Text]:
    """The one list: the `language` slot's values."""
    return list(load(root / "domain.yml")["slots"]["language"]["values"])


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def nlu_intents(root: Path) -> Dict[Text, Set[Text]]:
    """{language: intents with examples tagged with it} over every file under data/nlu/."""
    found: Dict[Text, Set[Text]] = defaultdict(set)
    for path in sorted((root / "data" / "nlu").rglob("*.yml")):
        for block in (load(path) or {}).get("nlu") or []:
            language = (block.get("metadata") or {}).get("language")
            if "intent" in block and language and (block.get("examples") or "").strip():
                found[language].add(block["intent"])
    return found


def synonym_values(root: Path) -> Set[Text]:
    values = set()
    for path in sorted((root / "data" / "nlu").rglob("*.yml")):
        values |= {block["synonym"] for block in (load(path) or {}).get("nlu") or [] if "synonym" in block}
    return values


def condition_language(variation: Dict[Text, Any]) -> Optional[Text]:
    for condition in variation.get("condition") or []:
        if condition.get("name") == "language":
            return condition.get("value")
    return None


def payloads(variation: Dict[Text, Any]) -> List[Text]:
    return [button["payload"] for button in variation.get("buttons") or []]


def response_problems(domain: Dict[Text, Any], language: Text, known: Iterable[Text]) -> List[Text]:
    problems = []
    for name, variations in domain["responses"].items():
        by_language: Dict[Optional[Text], List[Dict]] = defaultdict(list)
        for variation in variations:
            by_language[condition_language(variation)].append(variation)
        default = by_language.get(None, [])
        mine = default if language == DEFAULT else by_language.get(language, [])
        if not mine:
            problems.append(f"domain.yml: {name} has no '{language}' variation")
            continue
        if default and [payloads(v) for v in mine] != [payloads(v) for v in default][:len(mine)]:
            problems.append(f"domain.yml: {name}'s '{language}' buttons differ from English")
        if name == "utter_choose_language":
            offered = {p for v in mine for p in payloads(v)}
            missing = [code for code in known if not any(f'"{code}"' in p for p in offered)]
            if missing:
                problems.append(f"domain.yml: utter_choose_language ('{language}') offers no button for {missing}")
    return problems


def keys(tree: Any, prefix: Text = "") -> Set[Text]:
    if not isinstance(tree, dict):
        return {prefix}
    return set().union(*(keys(value, f"{prefix}.{key}" if prefix else str(key)) for key, value in tree.items()))


def text_problems(texts: Dict[Text, Any], language: Text, known: Iterable[Text]) -> List[Text]:
    if language not in texts:
        return [f"bot/texts.yml: no '{language}' block"]
    problems = [f"bot/texts.yml: '{language}' lacks {key}" for key in sorted(keys(texts[DEFAULT]) - keys(texts[language]))]
    for block, own in texts.items():
        if language not in (own.get("language_names") or {}):
            problems.append(f"bot/texts.yml: '{block}'.language_names does not name '{language}'")
    for code in known:
        if code not in texts:
            problems.append(f"bot/texts.yml: no '{code}' block for a listed language")
    return problems


def problems(language: Text, root: Path = ROOT) -> List[Text]:
    """Everything `language` still lacks; empty when it is complete."""
    known = languages(root)
    found: List[Text] = []
    if language not in known:
        found.append(f"domain.yml: '{language}' is not in the language slot's values (the one list)")
    intents = nlu_intents(root)
    for intent in sorted(intents.get(DEFAULT, set()) - intents.get(language, set())):
        found.append(f"data/nlu: no '{language}' examples for {intent}")
    if language not in synonym_values(root):
        found.append(f"data/nlu/synonyms.yml: no synonym maps a name of the language to '{language}'")
    found += response_problems(load(root / "domain.yml"), language, known)
    found += text_problems(load(root / "bot" / "texts.yml"), language, known)
    for path in (root / "data" / "safety" / f"{language}.yml", root / "data" / "safety" / "examples" / f"{language}.yml"):
        if not path.exists():
            found.append(f"{path.relative_to(root)}: missing (the safety layer's lists and examples)")
    safe = load(root / "tests" / "framing" / "safe_messages.yml") if (root / "tests" / "framing").exists() else {}
    if safe and language not in safe:
        found.append(f"tests/framing/safe_messages.yml: no '{language}' messages for the framing check")
    return found


def main(argv: List[Text]) -> int:
    wanted = argv or languages()
    report = {language: problems(language) for language in wanted}
    for language, found in report.items():
        print(f"{language}: {'complete' if not found else f'{len(found)} missing'}")
        for problem in found:
            print(f"  - {problem}")
    return 1 if any(report.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

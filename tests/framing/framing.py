"""The framing check: find fear words in a text, and every text we send.

Used by tests/test_framing.py; kept apart so the conversation test and the
static test share one definition of a fear word.
"""

import re
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Text, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORDS = yaml.safe_load((Path(__file__).with_name("fear_words.yml")).read_text("utf-8"))
PATTERNS = {
    topic: re.compile(r"(?<!\w)(" + "|".join(words) + r")(?!\w)", re.IGNORECASE)
    for topic, words in WORDS.items()
}


SEEN = yaml.safe_load((Path(__file__).with_name("lock_screen.yml")).read_text("utf-8"))
PREVIEW_CHARACTERS = 100  # what a lock screen shows of a message at most


def helpline_names() -> List[Text]:
    """Every service's name, in every language, from the region files."""
    names = []
    for path in sorted((ROOT / "data" / "resources").glob("[A-Z][A-Z].yml")):
        for entry in yaml.safe_load(path.read_text("utf-8"))["resources"]:
            names += [entry["name"], *(entry.get("names") or {}).values()]
    return [name for name in names if not name.isdigit()]  # "911" alone is a number, and fine


SEEN_PATTERN = re.compile(
    r"(?<!\w)(" + "|".join(SEEN["labels"] + [re.escape(name) for name in helpline_names()]) + r")(?!\w)",
    re.IGNORECASE)


def preview(text: Text) -> Text:
    """What a lock screen shows: the first line, at most PREVIEW_CHARACTERS of it."""
    return text.split("\n", 1)[0][:PREVIEW_CHARACTERS]


def seen_words(text: Text) -> List[Text]:
    """Topic labels and helpline names in `text` (voice rule 9)."""
    return [m if isinstance(m, str) else m[0] for m in SEEN_PATTERN.findall(text)]


def unprompted(where: Text) -> bool:
    """Whether the text at `where` is sent without the survivor's action (lock_screen.yml)."""
    origin, _, name = where.partition(":")
    name = name.split("#")[0] if origin == "domain.yml" else name.split(".", 1)[-1].split(".")[0]
    return name in (SEEN["unprompted"].get(origin) or [])


def rule_9_violations(where: Text, text: Text) -> List[Text]:
    """Labels or names a lock screen would show: in the preview, or anywhere if unprompted."""
    return seen_words(text if unprompted(where) else preview(text))


def fear_words(text: Text) -> Dict[Text, List[Text]]:
    """Fear words found in `text`, by topic."""
    found = {topic: pattern.findall(text) for topic, pattern in PATTERNS.items()}
    return {topic: [m if isinstance(m, str) else m[0] for m in hits] for topic, hits in found.items() if hits}


def raised_topics(metadata: Optional[dict]) -> Set[Text]:
    raised = (metadata or {}).get("raised_by_survivor") or []
    return {raised} if isinstance(raised, str) else set(raised)


def violations(text: Text, metadata: Optional[dict] = None) -> Dict[Text, List[Text]]:
    """Fear words not covered by the response's `raised_by_survivor` topics."""
    allowed = raised_topics(metadata) - {"labels"}
    return {topic: words for topic, words in fear_words(text).items() if topic not in allowed}


def response_texts(responses: dict, origin: Text) -> Iterator[Tuple[Text, Text, Optional[dict]]]:
    """(where, text, metadata) for each text and button title of each variation."""
    for name, variations in (responses or {}).items():
        for number, variation in enumerate(variations, 1):
            where = f"{origin}:{name}#{number}"
            metadata = variation.get("metadata")
            if variation.get("text"):
                yield where, variation["text"], metadata
            for button in variation.get("buttons") or []:
                yield f"{where} button", button["title"], metadata


def flattened(texts: dict, prefix: Text = "") -> Iterator[Tuple[Text, Text]]:
    """("key.sub", text) for every text in nested groups (hours words, need names…)."""
    for key, value in texts.items():
        if isinstance(value, dict):
            yield from flattened(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", str(value)


def everything_we_send() -> Iterator[Tuple[Text, Text, Optional[dict]]]:
    """Every response in domain.yml and data/, every bot text, every resource text."""
    yield from response_texts(yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["responses"], "domain.yml")
    for path in sorted((ROOT / "data").rglob("*.yml")):
        document = yaml.safe_load(path.read_text("utf-8")) or {}
        if isinstance(document, dict) and "responses" in document:
            yield from response_texts(document["responses"], str(path.relative_to(ROOT)))
    for language, texts in yaml.safe_load((ROOT / "bot" / "texts.yml").read_text("utf-8")).items():
        for key, text in flattened(texts):
            yield f"bot/texts.yml:{language}.{key}", text, None
    for path in sorted((ROOT / "data" / "resources").glob("[A-Z][A-Z].yml")):
        document = yaml.safe_load(path.read_text("utf-8"))
        for entry in document["resources"]:
            yield f"{path.name}:{entry['name']}", entry["name"], None
            for language, note in (entry.get("notes") or {}).items():
                yield f"{path.name}:{entry['name']} note {language}", note, None
    for path in ("channels.yml",):
        for language, labels in yaml.safe_load((ROOT / "data" / "resources" / path).read_text("utf-8")).items():
            for key, label in labels.items():
                yield f"{path}:{language}.{key}", label, None

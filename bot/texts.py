"""The bot's own texts, read once from bot/texts.yml."""

from functools import lru_cache
from pathlib import Path
from typing import Dict, Text

import yaml

TEXTS_FILE = Path(__file__).with_name("texts.yml")


@lru_cache(maxsize=None)
def all_texts() -> Dict[Text, Dict[Text, Text]]:
    """Every language's texts, keyed by language code."""
    return yaml.safe_load(TEXTS_FILE.read_text("utf-8"))


def text(key: Text, language: Text) -> Text:
    """The text `key` in `language`, or in English when not translated."""
    texts = all_texts()
    return texts.get(language, texts["en"]).get(key) or texts["en"][key]


def texts_of(key: Text, language: Text) -> Dict[Text, Text]:
    """A group of texts (need names, language names…) in `language`, English when not translated."""
    return text(key, language)  # type: ignore[return-value]


def counted(key: Text, count: int, language: Text, **values) -> Text:
    """`key` with its "one" or "other" form for `count` ("about 1 minute", "unos 2 minutos")."""
    forms = texts_of(key, language)
    return forms["one" if count == 1 else "other"].format(count=count, **values)


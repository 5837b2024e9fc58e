"""The bot's own texts, read once from bot/texts.yml, and the one helpline line it adds."""

from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Text

import yaml

from knowledge.helplines import always_open

TEXTS_FILE = Path(__file__).with_name("texts.yml")


@lru_cache(maxsize=None)
def all_texts() -> Dict[Text, Dict[Text, Text]]:
    """Every language's texts, keyed by language code."""
    return yaml.safe_load(TEXTS_FILE.read_text("utf-8"))


def text(key: Text, language: Text) -> Text:
    """The text `key` in `language`, or in English when not translated."""
    texts = all_texts()
    return texts.get(language, texts["en"]).get(key) or texts["en"][key]


def helpline(region: Optional[Text], language: Text) -> Text:
    """The region's best helpline open day and night, as one line ("" if none)."""
    return always_open(region, language)

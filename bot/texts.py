"""The bot's own texts, read once from bot/texts.yml."""

from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Text, Tuple

import yaml
from babel import Locale, UnknownLocaleError

TEXTS_FILE = Path(__file__).with_name("texts.yml")


@lru_cache(maxsize=None)
def all_texts(path: Path = TEXTS_FILE) -> Dict[Text, Dict[Text, Text]]:
    """Every language's texts, keyed by language code: its blocks are the bot's languages."""
    return yaml.safe_load(path.read_text("utf-8"))


def command_menus(texts: Dict[Text, Dict]) -> Dict[Text, List[Tuple[Text, Text]]]:
    """Each language's command menu, (command, description) in COMMANDS' order."""
    from bot.core import COMMANDS

    return {language: [(name, own["commands"][name]) for name in COMMANDS] for language, own in texts.items()}


def text(key: Text, language: Text) -> Text:
    """The text `key` in `language`, or in English when not translated."""
    texts = all_texts()
    return texts.get(language, texts["en"]).get(key) or texts["en"][key]


def texts_of(key: Text, language: Text) -> Dict[Text, Text]:
    """A group of texts (need names, language names…) in `language`, English when not translated."""
    return text(key, language)  # type: ignore[return-value]


def counted(key: Text, count: int, language: Text, **values) -> Text:
    """`key` in the plural form `language` uses for `count` (CLDR's one, few, many, other:
    "about 1 minute", "unos 2 minutos", "близько 5 хвилин"); a form a language does not
    write falls back to "other"."""
    forms = texts_of(key, language)
    try:
        form = Locale.parse(language).plural_form(count)
    except (ValueError, UnknownLocaleError):
        form = "one" if count == 1 else "other"
    return (forms.get(form) or forms["other"]).format(count=count, **values)


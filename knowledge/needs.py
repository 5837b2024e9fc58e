"""Needs a survivor may name (data/resources/needs.yml): the answer to give and
the FAQ topics that imply them."""

from functools import lru_cache
from typing import Any, Dict, List, Text

import yaml

from knowledge.paths import RESOURCES_DIR


@lru_cache(maxsize=None)
def needs() -> Dict[Text, Dict]:
    """Every need, keyed by name, read once."""
    return yaml.safe_load((RESOURCES_DIR / "needs.yml").read_text("utf-8"))


def known_needs(values: Any) -> List[Text]:
    """Keep recognised needs only, once each, in order ("none" means skipped)."""
    values = values if isinstance(values, list) else [values]
    catalogue = needs()
    return list(dict.fromkeys(v for v in values if v in catalogue))

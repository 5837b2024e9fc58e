"""Detect which of the assistant's languages a message is written in.

A survivor who writes "hola" should be answered in Spanish even if their phone
is set to English. This component learns character n-gram statistics from the
NLU training data itself: every intent block carries `metadata: {language: xx}`,
so adding a language means adding examples, never code. It only speaks when the
evidence is clear (short or mixed messages such as "ok" change nothing) and
emits the entity `detected_language`, which fills the `language` slot.

Two conditions must hold: the message contains a word seen in training only in
that language (so keyboard mash or "ok" never switch languages), and the n-gram
likelihood of that language leads the next by `min_margin`.

The n-grams are learned per language and script (Ukrainian in Cyrillic, and the
Ukrainian people type in Latin letters, are two models of one language), and a
message is compared only with the models of its own script. A script that only
one language's examples use is that language, known words or not: Russian gets
the Ukrainian answer, the closest the assistant has. A script no language uses
(Hebrew, say) changes nothing.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

ENTITY = "detected_language"
EXPLICIT_ENTITY = "language"
_MODEL_FILE = "language_ngrams.json"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def words(text: Text) -> List[Text]:
    """Lower-cased words, without digits or punctuation."""
    return _WORD.findall(text.lower())


def script_of(text: Text) -> Optional[Text]:
    """The script most of a text's letters are in, by Unicode name (LATIN, CYRILLIC…)."""
    found = Counter(unicodedata.name(c, "?").split()[0] for c in text if c.isalpha())
    return found.most_common(1)[0][0] if found else None


def char_ngrams(text: Text, sizes: range) -> List[Text]:
    """Character n-grams of each word, padded so word starts and ends count."""
    grams: List[Text] = []
    for word in words(text):
        padded = f" {word} "
        for n in sizes:
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True
)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    """Naive Bayes over character n-grams, trained on language-tagged examples."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """min_margin: log-likelihood lead (nats) the best language needs."""
        return {"min_ngram": 1, "max_ngram": 4, "min_margin": 4.0, "alpha": 0.5}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        counts: Optional[Dict[Text, Dict[Text, int]]] = None,
        vocabularies: Optional[Dict[Text, List[Text]]] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._sizes = range(self._config["min_ngram"], self._config["max_ngram"] + 1)
        # keyed "language script", e.g. "uk CYRILLIC" and "uk LATIN"
        self._counts = {key: Counter(c) for key, c in (counts or {}).items()}
        self._totals = {key: sum(c.values()) for key, c in self._counts.items()}
        self._vocabulary = len(set().union(*self._counts.values())) if counts else 0
        seen = {lang: set(v) for lang, v in (vocabularies or {}).items()}
        self._distinctive = {
            lang: vocabulary.difference(*(v for other, v in seen.items() if other != lang))
            for lang, vocabulary in seen.items()
        }

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageDetector:
        with model_storage.read_from(resource) as directory:
            model = json.loads((directory / _MODEL_FILE).read_text("utf-8"))
        return cls(config, model_storage, resource, model["ngrams"], model["words"])

    def train(self, training_data: TrainingData) -> Resource:
        counts: Dict[Text, Counter] = {}
        vocabularies: Dict[Text, set] = {}
        for example in training_data.intent_examples:
            language = ((example.get("metadata") or {}).get(METADATA_INTENT) or {}).get(
                "language"
            )
            text = example.get(TEXT)
            if language and script_of(text):
                key = f"{language} {script_of(text)}"
                counts.setdefault(key, Counter()).update(char_ngrams(text, self._sizes))
                vocabularies.setdefault(language, set()).update(words(text))
        if len(vocabularies) < 2:
            raise ValueError(
                "LanguageDetector needs NLU examples tagged with "
                "`metadata: {language: ...}` for at least two languages."
            )
        model = {"ngrams": counts, "words": {k: sorted(v) for k, v in vocabularies.items()}}
        with self._storage.write_to(self._resource) as directory:
            (directory / _MODEL_FILE).write_text(json.dumps(model), "utf-8")
        self.__init__(self._config, self._storage, self._resource, counts, model["words"])
        return self._resource

    def detect(self, text: Text) -> Optional[Text]:
        """The language `text` is clearly written in, or None when unsure."""
        grams = char_ngrams(text, self._sizes)
        script = script_of(text)
        same_script = {key: counts for key, counts in self._counts.items() if key.split(" ")[1] == script}
        languages = {key.split(" ")[0] for key in same_script}
        if not grams or not languages:
            return None
        if len(languages) == 1:
            return languages.pop()  # the only language written in this script
        alpha = self._config["alpha"]
        scores: Dict[Text, float] = {}
        for key, counts in same_script.items():
            denominator = self._totals[key] + alpha * self._vocabulary
            score = sum(math.log((counts.get(g, 0) + alpha) / denominator) for g in grams)
            language = key.split(" ")[0]
            scores[language] = max(score, scores.get(language, -math.inf))
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        (best, best_score), (_, runner_up) = ranked[0], ranked[1]
        said = set(words(text))
        for language in languages:  # every word known from this language alone: "dobre"
            if said <= self._distinctive.get(language, set()):
                return language
        if best_score - runner_up < self._config["min_margin"]:
            return None
        return best if self._distinctive.get(best, set()).intersection(said) else None

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES, [])
            text = message.get(TEXT) or ""
            if any(e.get("entity") == EXPLICIT_ENTITY for e in entities):
                continue  # "can we speak Spanish?" outranks the language it is typed in
            language = self.detect(text)
            if language:
                found = {"entity": ENTITY, "value": language, "start": 0, "end": len(text)}
                message.set(
                    ENTITIES,
                    entities + self.add_extractor_name([found]),
                    add_to_output=True,
                )
        return messages

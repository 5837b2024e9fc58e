"""The safety net after the intent classifiers: crisis and danger are never left to one model.

Every message is scored by `components.safety_patterns` (word lists in
data/safety/). Above `threshold` the intent becomes `crisis_self_harm` or
`immediate_danger`, whatever the classifiers said; with a risk cue below it,
`check_safety` ("Are you safe right now?"), so an uncertain message gets a
question, never an FAQ answer. Crisis or danger together with words asking to
hide the chat ("delete this") is hidden first. Without such words, crisis and
danger outrank a classifier's guess of quick exit: a wrong quick exit deletes a
plea for help, and the danger reply offers "Leave quickly" anyway. A mere cue never
replaces crisis, danger or hiding; it does replace asking for a person ("please help,
someone is at my door" is asked "are you safe?" before any handoff). Crisis, danger and
`check_safety` are this layer's to give: the classifier's own guess of one, with
no signal here at all, falls back to its next answer (the lists and the learned
model carry the phrasings the classifier was trained on), or to "not understood"
(`nlu_fallback`) when that answer is unsure or is quick exit: a message the
classifier thought a plea for help is never deleted on a runner-up's word.

The word lists are copied into the model when it is trained, with the small
learned model (components/safety_model.py) built from data/safety/examples and
data/nlu; their fingerprint is part of the model's, so `rasa train` picks up an
edited list or a new example.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components import safety_patterns
from components.safety_model import NLU_DIR
from components.safety_patterns import CHECK_SAFETY, INTENT_OF, Patterns

SAFETY = "safety"  # parse-data key: scores and the names of the signals (never text)
QUICK_EXIT = "quick_exit"
NLU_FALLBACK = "nlu_fallback"
# Intents a mere cue does not replace with "Are you safe right now?". Not "forget me": with a cue
# behind it, it may be a farewell ("goodbye everyone, im sorry for everything"), and erasing
# the chat is no answer to that; the question comes first. Not "a person, please" either: "please
# help, someone is trying to open my door" read as one would get the handoff and no emergency
# number, so the question comes first there too (its "I'm not safe" leads to both).
# Nor quick exit on its own: "i think about stepping under a truck" read as a wish to leave
# would empty the chat of someone in crisis. It stands when they used words of hiding
# ("delete this") or when the cue is someone else's ("he is here": a question on the screen
# is what they must not see); a self-harm cue alone gets the question.
SURE_ENOUGH = {*INTENT_OF.values(), CHECK_SAFETY}
# Intents only this layer gives: the classifier's guess of one, with no signal here (not even a
# cue from the lists or the learned model, which has learned data/nlu too), falls back to its
# next answer. On data/safety/examples and the dev split every such guess was a false alarm
# ("i nearly died laughing at that"): 7 of 7, and no risk message lost (scripts/safety_eval.py).
LAYERS_OWN = (*INTENT_OF.values(), CHECK_SAFETY)
_STORED_DIR = "safety"
_MODEL_FILE = "safety_model.pkl"


def _files(directory: Path) -> List[Path]:
    return sorted(directory.glob("*.yml"))


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class SafetyLayer(GraphComponent, IntentClassifier):
    """Override the classifiers when a message carries self-harm or danger signals."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """threshold: see safety_patterns.THRESHOLD; word_lists: the data folder;
        fallback_threshold: the FallbackClassifier's, for the answer after a dropped guess."""
        return {"threshold": safety_patterns.THRESHOLD, "word_lists": str(safety_patterns.SAFETY_DIR),
                "fallback_threshold": 0.5}

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        """The word lists and examples are data the graph does not see: an edit must retrain."""
        digest = hashlib.sha256()
        lists = Path(config.get("word_lists") or safety_patterns.SAFETY_DIR)
        for path in sorted([*lists.rglob("*.yml"), *NLU_DIR.rglob("*.yml")]):
            digest.update(str(path.relative_to(path.parents[1])).encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 patterns: Optional[Patterns] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._patterns = patterns

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SafetyLayer:
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> SafetyLayer:
        with model_storage.read_from(resource) as directory:
            patterns = safety_patterns.load(directory / _STORED_DIR)
            patterns.model = pickle.loads((directory / _MODEL_FILE).read_bytes())
        return cls(config, model_storage, resource, patterns)

    def train(self, training_data: TrainingData) -> Resource:
        """Check the word lists (a bad pattern fails training, naming the file), learn the
        model, and keep both in the trained model."""
        source = Path(self._config["word_lists"])
        self._patterns = safety_patterns.with_model(safety_patterns.load(source))
        with self._storage.write_to(self._resource) as directory:
            target = directory / _STORED_DIR
            target.mkdir(parents=True, exist_ok=True)
            for path in _files(source):
                (target / path.name).write_bytes(path.read_bytes())
            (directory / _MODEL_FILE).write_bytes(pickle.dumps(self._patterns.model))
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self._patterns is None:  # not trained: Rasa calls process before train in some tools
            self._patterns = safety_patterns.with_model(safety_patterns.load(Path(self._config["word_lists"])))
        for message in messages:
            text = message.get(TEXT)
            if text:
                self._judge(message, text)
        return messages

    def _judge(self, message: Message, text: Text) -> None:
        assessment = self._patterns.assess(text)
        message.set(SAFETY, {**assessment.scores, "signals": list(assessment.signals)},
                    add_to_output=True)
        verdict = assessment.verdict(self._config["threshold"])
        current = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if verdict is None:
            if current in LAYERS_OWN:  # the classifier's guess, with nothing behind it here
                self._fall_back(message)
            return
        if verdict == CHECK_SAFETY and (current in SURE_ENOUGH or current == QUICK_EXIT and (
                assessment.hide or assessment.top()[0] != "self_harm")):
            return
        if assessment.hide and verdict != CHECK_SAFETY:
            self._set(message, QUICK_EXIT, assessment.top()[1])  # they asked: someone may be watching
            return
        self._set(message, verdict, assessment.top()[1])

    def _fall_back(self, message: Message) -> None:
        """The classifier's next answer that is not one of this layer's to give, if it is
        sure of it among what is left (its share of the rest of the ranking) and it is not
        quick exit; else `nlu_fallback`, as the FallbackClassifier would have given."""
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or []
                   if r.get(INTENT_NAME_KEY) not in (*LAYERS_OWN, NLU_FALLBACK)]
        rest = sum(r.get("confidence", 0.0) for r in ranking)
        threshold = self._config["fallback_threshold"]
        if ranking and ranking[0][INTENT_NAME_KEY] != QUICK_EXIT and rest > 0 \
                and ranking[0].get("confidence", 0.0) / rest >= threshold:
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        else:
            self._set(message, NLU_FALLBACK, threshold)

    @staticmethod
    def _set(message: Message, name: Text, confidence: float) -> None:
        intent = {INTENT_NAME_KEY: name, "confidence": confidence}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)

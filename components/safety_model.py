"""The learned half of the safety net: character n-grams that reach phrasings nobody listed.

Word lists (safety_patterns) are exact and explainable, but a blind test set
showed they miss new ways of saying the same thing. This model learns from
labelled messages in data/safety/examples/ and from the NLU examples in
data/nlu/ (crisis_self_harm and immediate_danger as risk, every other intent as
ordinary), on the same normalised text the word lists see. It is small
(TF-IDF + logistic regression), deterministic, and trains in seconds, so the
bot and Rasa each build the same model from the same files.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path
from typing import Dict, List, Sequence, Text, Tuple

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from components.safety_patterns import INTENT_OF

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "data" / "safety" / "examples"
NLU_DIR = ROOT / "data" / "nlu"
NONE = "none"
KIND_OF_LABEL = {intent: kind for kind, intent in INTENT_OF.items()}
NOT_TRAINED_ON = {"check_safety"}  # the uncertain middle: neither risk nor ordinary
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
_EXAMPLE_LINE = re.compile(r"^\s*- (.+)$", re.M)


def labelled_examples(directory: Path = EXAMPLES_DIR) -> List[Tuple[Text, Text]]:
    """(text, kind or "none") from data/safety/examples/*.yml."""
    rows: List[Tuple[Text, Text]] = []
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        for label, kind in (*KIND_OF_LABEL.items(), (NONE, NONE)):
            rows += [(str(text), kind) for text in data.get(label) or []]
    return rows


def nlu_examples(directory: Path = NLU_DIR) -> List[Tuple[Text, Text]]:
    """(text, kind or "none") from Rasa's NLU files: entity annotations removed."""
    rows: List[Tuple[Text, Text]] = []
    for path in sorted(directory.rglob("*.yml")):
        for block in (yaml.safe_load(path.read_text("utf-8")) or {}).get("nlu") or []:
            intent = block.get("intent")
            if not intent or intent in NOT_TRAINED_ON:
                continue
            kind = KIND_OF_LABEL.get(intent, NONE)
            rows += [(_ANNOTATION.sub(r"\1", text).strip(), kind)
                     for text in _EXAMPLE_LINE.findall(block.get("examples") or "")]
    return rows


class SafetyModel:
    """P(self_harm), P(danger) for a cleaned message.

    Fitted with scikit-learn, then read into plain dictionaries: one message
    costs a few dictionary lookups instead of sklearn's sparse-matrix set-up
    (measured: 1.5 ms -> well under the safety layer's 2 ms budget, bench/safety.py).
    """

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline  # what is pickled; the tables are rebuilt on load
        self._build_tables()

    def __getstate__(self) -> Dict:
        return {"pipeline": self._pipeline}

    def __setstate__(self, state: Dict) -> None:
        self._pipeline = state["pipeline"]
        self._build_tables()

    def _build_tables(self) -> None:
        classifier = self._pipeline.named_steps["classifier"]
        self._classes = list(classifier.classes_)
        self._intercept = [float(b) for b in classifier.intercept_]
        coefficients = classifier.coef_
        self._parts = []
        offset = 0
        for _, vectorizer in self._pipeline.named_steps["features"].transformer_list:
            idf = vectorizer.idf_  # computed anew on each access (scikit-learn): once, not per term
            table = {gram: (float(idf[column]), tuple(float(c) for c in coefficients[:, offset + column]))
                     for gram, column in vectorizer.vocabulary_.items()}
            self._parts.append((vectorizer.build_analyzer(), table))
            offset += len(vectorizer.vocabulary_)

    @classmethod
    def train(cls, texts: Sequence[Text], kinds: Sequence[Text]) -> "SafetyModel":
        features = FeatureUnion([
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
        ])
        pipeline = Pipeline([
            ("features", features),
            ("classifier", LogisticRegression(C=32.0, class_weight="balanced", max_iter=2000)),
        ])
        pipeline.fit(list(texts), list(kinds))
        return cls(pipeline)

    def probabilities(self, cleaned: Text) -> Dict[Text, float]:
        """Same numbers as the pipeline's predict_proba (tested), from the tables."""
        logits = list(self._intercept)
        for analyze, table in self._parts:
            # One pass: the L2 norm divides every term alike, so it is applied once at the end.
            sums, squares = [0.0] * len(logits), 0.0
            for gram, count in Counter(analyze(cleaned)).items():
                known = table.get(gram)
                if known:
                    weight = (1.0 + math.log(count)) * known[0]
                    squares += weight * weight
                    for k, c in enumerate(known[1]):
                        sums[k] += weight * c
            norm = math.sqrt(squares) or 1.0
            for k, total in enumerate(sums):
                logits[k] += total / norm
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        total = sum(exps)
        return {kind: e / total for kind, e in zip(self._classes, exps, strict=True) if kind != NONE}

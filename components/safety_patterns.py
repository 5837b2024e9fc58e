"""Score a message for self-harm risk and immediate danger, from the data in data/safety/.

The intent classifier learns from what its writers foresaw; this is the net
under it. Per-language word lists (explainable; an organisation extends them
without code, see data/safety/README.md) and a small learned model
(components/safety_model.py) score every message. Both the Rasa pipeline
(components/safety_layer.py) and the bot's live-case relay use it.

How a message is scored:
1. Normalise: lower case, accents removed, every run of a repeated letter
   squeezed to one ("morirrrr" -> "morir", "kill" -> "kil"), abbreviations and
   spellings rewritten ("kms" -> "kill myself"); patterns get the same treatment.
2. A list signal that matches adds its weight to its kind (self_harm, danger)
   as a noisy-or, 1 - prod(1 - weight), unless the match lies inside a benign
   idiom ("my phone is dying", "me muero de hambre"). Strong phrases weigh 1.0;
   a means, a plan and a time add up; a lone cue stays below the threshold.
3. The model's probability joins the same noisy-or, but alone it stays below
   the threshold: it can make the assistant ask, never decide.
Every language's lists apply to every message, so code-switching is covered.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, List, Optional, Pattern, Set, Text, Tuple

import yaml

from components import regex_prefix

if TYPE_CHECKING:
    from components.safety_model import SafetyModel

SAFETY_DIR = Path(__file__).resolve().parent.parent / "data" / "safety"
KINDS = ("self_harm", "danger")
# The intent each kind becomes, and the intent for "a cue, but not sure".
INTENT_OF = {"self_harm": "crisis_self_harm", "danger": "immediate_danger"}
CHECK_SAFETY = "check_safety"
# At or above: crisis or danger; below it, any signal: ask. The bot's live-case
# check uses it too. Weights were tuned against it on data/safety/examples.
THRESHOLD = 0.7
# The learned model alone raises "Are you safe right now?" from this probability. 0.5 came
# from 5-fold cross-validation on data/safety/examples (model alone: recall 0.90, false
# alarms 0.04). Lowered to 0.4 on the blind dev split (tests/safety/dev, `--sweep`, layer
# with the second dev set's lists): the highest cue that misses nothing there, at 0.038
# false alarms (0.5: recall 0.998, 0.024). Recall first: a question costs one tap.
MODEL_CUE = 0.4
MODEL_ALONE = THRESHOLD - 0.01  # the most the model alone can add: a question, not a verdict

_SQUEEZE = re.compile(r"(?<!\\)([^\W\d_])\1+", re.UNICODE)
_NOT_WORD = re.compile(r"[^\w\s]+", re.UNICODE)
_SPACES = re.compile(r"\s+")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_GAP = r"(?:\s+\S+){0,6}"  # " ~ " in a pattern: up to six words in between
_LAZY_GAP = r"(?:\s+\S+){0,6}?"  # in an idiom: as short as it can be, so it swallows no threat
_OPTIONAL_INSIDE = re.compile(r" \(([^()]*)\)\? ")
_OPTIONAL_LAST = re.compile(r" \(([^()]*)\)\?(?=$|[|)])")


def _fold(text: Text) -> Text:
    """Lower case, accents and apostrophes removed: what text and patterns share."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return text.replace("'", "").replace("’", "")


def normalise(text: Text) -> Text:
    """Lower case, no accents or punctuation, repeated letters squeezed, single spaces."""
    return _SPACES.sub(" ", _SQUEEZE.sub(r"\1", _NOT_WORD.sub(" ", _fold(text)))).strip()


@dataclass(frozen=True)
class Assessment:
    """Scores in [0, 1] per kind, which signals fired (their names, never the text),
    whether anything at all suggests risk, and whether they asked to hide the chat."""

    scores: Dict[Text, float]
    signals: Tuple[Text, ...] = ()
    cue: bool = False
    hide: bool = False

    def top(self) -> Tuple[Text, float]:
        kind = max(KINDS, key=lambda k: self.scores.get(k, 0.0))
        return kind, self.scores.get(kind, 0.0)

    def verdict(self, threshold: float = THRESHOLD) -> Optional[Text]:
        """`crisis_self_harm`, `immediate_danger`, `check_safety`, or None (no cue)."""
        kind, score = self.top()
        if score >= threshold:
            return INTENT_OF[kind]
        return CHECK_SAFETY if self.cue else None


@dataclass
class Signal:
    name: Text
    kind: Text
    weight: float
    pattern: Pattern[Text]


@dataclass
class Patterns:
    """Compiled lists of every language in data/safety/."""

    signals: List[Signal] = field(default_factory=list)
    benign: List[Pattern[Text]] = field(default_factory=list)
    hide: List[Pattern[Text]] = field(default_factory=list)
    rewrites: Dict[Text, Text] = field(default_factory=dict)
    languages: Tuple[Text, ...] = ()
    model: Optional["SafetyModel"] = None
    model_cue: float = MODEL_CUE
    _rewrite: Optional[Pattern[Text]] = None
    _benign: Optional[Pattern[Text]] = None
    _starts: Dict[Text, List[int]] = field(default_factory=dict)
    _idiom_starts: Optional[FrozenSet[Text]] = None
    _always: List[int] = field(default_factory=list)

    def compile_rewrites(self) -> None:
        """Every rewrite in one regex: one pass over a message, not one per phrase."""
        phrases = sorted(self.rewrites, key=len, reverse=True)
        self._rewrite = re.compile(
            rf"(?<!\w)(?:{'|'.join(map(re.escape, phrases))})(?!\w)") if phrases else None

    def compile_benign(self) -> None:
        self._benign = re.compile("|".join(f"(?:{p.pattern})" for p in self.benign)) if self.benign else None
        starts = [regex_prefix.prefixes(p) for p in self.benign]
        self._idiom_starts = None if None in starts else frozenset().union(*starts)

    def compile_starts(self) -> None:
        """Which signals can start with which few characters: a message runs only the
        signals it holds a start of (a few percent of them; the layer's time budget)."""
        self._starts, self._always = {}, []
        for number, signal in enumerate(self.signals):
            starts = regex_prefix.prefixes(signal.pattern)
            if starts is None:
                self._always.append(number)
            for start in starts or ():
                self._starts.setdefault(start, []).append(number)

    def candidates(self, pieces: Set[Text]) -> List[Signal]:
        """The signals that could match a text of these `regex_prefix.substrings`, in list order."""
        numbers = set(self._always)
        for piece in pieces & self._starts.keys():
            numbers.update(self._starts[piece])
        return [self.signals[n] for n in sorted(numbers)]

    def rewrite(self, text: Text) -> Text:
        """Abbreviations and spellings rewritten (the text, and every pattern, see the same words)."""
        if not self._rewrite:
            return text
        return _SPACES.sub(" ", self._rewrite.sub(lambda m: self.rewrites[m.group(0)], text))

    def prepare(self, text: Text) -> Text:
        """Normalised and rewritten: what every signal, idiom and the model see."""
        return self.rewrite(f" {normalise(text)} ")

    def idioms(self, prepared: Text, pieces: Optional[Set[Text]] = None) -> List[Tuple[int, int]]:
        """Where the benign idioms are (none when the text holds no idiom's start)."""
        if not self._benign or (pieces is not None and self._idiom_starts is not None
                                and pieces.isdisjoint(self._idiom_starts)):
            return []
        return [m.span() for m in self._benign.finditer(prepared)]

    def without_idioms(self, prepared: Text, idioms: Optional[List[Tuple[int, int]]] = None) -> Text:
        """What the learned model reads: benign idioms blanked (it learns from the same)."""
        kept, end = [], 0
        for start, stop in self.idioms(prepared) if idioms is None else idioms:
            kept += [prepared[end:start], " · "]
            end = stop
        return "".join(kept) + prepared[end:]

    def assess(self, text: Text) -> Assessment:
        prepared = self.prepare(text)
        pieces = regex_prefix.substrings(prepared)
        idioms = self.idioms(prepared, pieces)

        def fires(pattern: Pattern[Text]) -> bool:
            """A match that is not inside a benign idiom ("the heat is killing me")."""
            if not idioms:
                return pattern.search(prepared) is not None
            return any(not any(a <= m.start() and m.end() <= b for a, b in idioms)
                       for m in pattern.finditer(prepared))

        remaining = {kind: 1.0 for kind in KINDS}
        fired: List[Text] = []
        for signal in self.candidates(pieces):
            if fires(signal.pattern):
                remaining[signal.kind] *= 1.0 - signal.weight
                fired.append(signal.name)
        listed = {kind: remaining[kind] < 1.0 for kind in KINDS}
        learned = self.model.probabilities(self.without_idioms(prepared, idioms)) if self.model else {}
        for kind, probability in learned.items():
            # The model alone may ask "are you safe?", never decide: only a list signal of
            # the same kind (explainable, tested) can carry a message to crisis or danger.
            remaining[kind] *= 1.0 - (probability if listed[kind] else min(probability, MODEL_ALONE))
        if max(learned.values(), default=0.0) >= self.model_cue:
            fired.append("model")
        return Assessment({k: round(1.0 - r, 4) for k, r in remaining.items()}, tuple(fired),
                          cue=bool(fired), hide=any(fires(p) for p in self.hide))


def _compile(source: Text, words: Dict[Text, Text], where: Text, rewrite, gap: Text = _GAP) -> Pattern[Text]:
    """A list entry as a regex: options, rewrites, {name} from `words`, " ~ " a gap, word-bounded."""
    pattern = _SPACES.sub(" ", normalise_pattern(source.strip()))
    # "a (b)? c" also matches "a c", and "a (b)?" matches "a": the space goes with the option.
    pattern = _OPTIONAL_INSIDE.sub(r" (?:(?:\1) )?", pattern)
    pattern = _OPTIONAL_LAST.sub(r"(?: (?:\1))?", pattern)
    pattern = outside_lists(rewrite, pattern).strip()
    pattern = _expand(pattern, words, where).replace(" ~ ", f"{gap}\\s+")
    squeezed = _SQUEEZE.sub(r"\1", pattern)
    try:
        return re.compile(rf"(?<!\w){squeezed}(?!\w)")
    except re.error as error:
        raise ValueError(f"{where}: {source!r} is not a valid pattern ({error})") from None


def normalise_pattern(pattern: Text) -> Text:
    """Lower case, accents removed, repeated letters squeezed, like the text it is matched against
    ({list} names are left as written)."""
    return outside_lists(lambda part: _SQUEEZE.sub(r"\1", part), _fold(pattern))


def outside_lists(change: Callable[[Text], Text], pattern: Text) -> Text:
    """Apply `change` to a pattern but not to the {list} names in it."""
    parts = _PLACEHOLDER.split(pattern)  # text, name, text, name, ...
    return "".join(change(part) if i % 2 == 0 else f"{{{part}}}" for i, part in enumerate(parts))


def _word_lists(data: Dict, where: Text, rewrite) -> Dict[Text, Text]:
    """Named lists as regex alternatives; a list may name other lists, in any order."""
    raw = data.get("words") or {}
    for name, entries in raw.items():
        if not isinstance(entries, list) or not entries:
            raise ValueError(f"{where}: words.{name} must be a non-empty list")
    words: Dict[Text, Text] = {}

    def resolve(name: Text, seen: Tuple[Text, ...]) -> Text:
        if name not in words:
            if name in seen:
                raise ValueError(f"{where}: word list {{{name}}} refers to itself")
            lists = _Lists(raw, lambda other: resolve(other, (*seen, name)))
            words[name] = "|".join(_expand(outside_lists(rewrite, normalise_pattern(str(e))), lists, where)
                                   for e in raw[name])
        return words[name]

    for name in raw:
        resolve(name, ())
    return words


class _Lists(dict):
    """The word lists as `_expand` sees them while they are still being resolved."""

    def __init__(self, raw: Dict, resolve) -> None:
        super().__init__()
        self._raw, self._resolve = raw, resolve

    def __contains__(self, name: object) -> bool:
        return name in self._raw

    def __getitem__(self, name: Text) -> Text:
        return self._resolve(name)


def _expand(source: Text, words: Dict[Text, Text], where: Text) -> Text:
    def replace(match: re.Match) -> Text:
        name = match.group(1)
        if name not in words:
            raise ValueError(f"{where}: unknown word list {{{name}}} in {source!r}")
        return f"(?:{words[name]})"

    return _PLACEHOLDER.sub(replace, source)


def load(directory: Path = SAFETY_DIR) -> Patterns:
    """Every `<language>.yml` in `directory`, compiled; errors name the file."""
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise ValueError(f"no safety word lists in {directory}")
    patterns = Patterns(languages=tuple(f.stem for f in files))
    documents = [(path, yaml.safe_load(path.read_text("utf-8")) or {}) for path in files]
    for _, data in documents:  # every language's rewrites first: patterns are rewritten too
        for source, replacement in (data.get("rewrite") or {}).items():
            patterns.rewrites[normalise(str(source))] = normalise(str(replacement))
    patterns.compile_rewrites()
    rewrite = patterns.rewrite
    for path, data in documents:
        where = str(path)
        words = _word_lists(data, where, rewrite)
        patterns.benign += [_compile(str(s), words, where, rewrite, _LAZY_GAP) for s in data.get("benign") or []]
        patterns.hide += [_compile(str(s), words, where, rewrite) for s in data.get("hide") or []]
        for kind in KINDS:
            for number, entry in enumerate(data.get(kind) or [], 1):
                if not isinstance(entry, dict) or "pattern" not in entry:
                    raise ValueError(f"{where}: {kind}[{number}] needs a `pattern`")
                weight = float(entry.get("weight", 1.0))
                if not 0.0 < weight <= 1.0:
                    raise ValueError(f"{where}: {kind}[{number}] weight must be in (0, 1]")
                name = entry.get("name") or f"{path.stem}.{kind}.{number}"
                patterns.signals.append(
                    Signal(name, kind, weight, _compile(str(entry["pattern"]), words, where, rewrite)))
    patterns.compile_benign()
    patterns.compile_starts()
    return patterns


def with_model(patterns: Patterns) -> Patterns:
    """The lists plus the model learned from data/safety/examples and data/nlu (seconds)."""
    from components.safety_model import SafetyModel, labelled_examples, nlu_examples

    rows = labelled_examples() + nlu_examples()
    patterns.model = SafetyModel.train([patterns.without_idioms(patterns.prepare(text)) for text, _ in rows],
                                       [kind for _, kind in rows])
    return patterns


@lru_cache(maxsize=None)
def default_patterns() -> Patterns:
    """The project's own lists and learned model, built once per process."""
    return with_model(load())

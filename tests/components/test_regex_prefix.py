"""The start-of-match pre-check: it may only ever skip a pattern that cannot match."""

import re

import pytest

from components.regex_prefix import prefixes, substrings
from components.safety_patterns import default_patterns
from scripts.safety_eval import examples


@pytest.mark.parametrize("pattern, starts", [
    (r"(?<!\w)kill me(?!\w)", {"kill"}),
    (r"(?<!\w)(?:me|nos) (?:matan|mata)", {"me m", "nos "}),
    (r"(?<!\w)(?:i )?want to die", {"i wa", "want"}),           # an optional first word: both starts
    (r"(?<!\w)[ab]c", {"ac", "bc"}),                          # a small character class
    (r"(?<!\w)no(?:\s+\S+){0,6}\s+hope", {"no"}),             # a gap ends the prefix where it starts
    (r"(?<!\w)x{2,}y", {"x"}),                                # after a repeat, nothing is assumed
])
def test_a_pattern_lists_every_start_its_matches_can_have(pattern, starts):
    assert prefixes(re.compile(pattern)) == starts


@pytest.mark.parametrize("pattern", [r"\w+ me", r"(?:a)?", r".kill", r"[^a]b", r"(?i)kill"])
def test_a_pattern_that_can_start_anywhere_is_always_run(pattern):
    assert prefixes(re.compile(pattern)) is None


def test_substrings_are_every_piece_of_one_to_four_characters():
    assert substrings("abcde") == {"a", "b", "c", "d", "e", "ab", "bc", "cd", "de", "abc", "bcd", "cde", "abcd", "bcde"}


def test_no_signal_that_matches_a_message_is_ever_skipped():
    """Every list signal, over every labelled message we have: the pre-check changes nothing."""
    patterns = default_patterns()
    texts = [patterns.prepare(text) for split in ("examples", "dev", "heldout") for _, _, text in examples(split)]
    skipped, run = [], 0
    for text in texts:
        candidates = {id(signal) for signal in patterns.candidates(substrings(text))}
        run += len(candidates)
        skipped += [(signal.name, text) for signal in patterns.signals
                    if id(signal) not in candidates and signal.pattern.search(text)]
    assert skipped == []
    assert run < 0.1 * len(texts) * len(patterns.signals)  # and it does skip most of them


def test_the_pre_check_finds_the_same_idioms_as_running_them_all():
    patterns = default_patterns()
    for _, _, text in examples("dev"):
        prepared = patterns.prepare(text)
        assert patterns.idioms(prepared, substrings(prepared)) == patterns.idioms(prepared)

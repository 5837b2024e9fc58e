"""The text a regex match must start with: a cheap, exact pre-check for the safety lists.

The safety layer runs a few hundred patterns over every message, and almost
all of them cannot match it: a Ukrainian pattern cannot match Spanish text,
and "(matarme|suicidarme|…)" cannot match a message that holds none of
"mat", "sui", …. `prefixes` reads a compiled pattern's parse tree and lists
every string of up to `length` characters a match can begin with; a message
that contains none of them as a substring is skipped without running the
regex. The list only ever errs towards "run it" (a part it cannot read ends a
prefix early), so skipping never changes a result (tests/components/test_regex_prefix.py).
"""

from __future__ import annotations

import re
from typing import FrozenSet, Iterable, List, Optional, Set, Text, Tuple

try:  # Python 3.11+
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10, which Rasa 3.6 also runs on
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

LENGTH = 4
_MAX_PREFIXES = 3000  # beyond this a pattern is simply always run
_ZERO_WIDTH = {C.AT, C.ASSERT, C.ASSERT_NOT}
_MAX_CLASS = 40  # a character class wider than this ends a prefix


class _TooMany(Exception):
    """The pattern has too many possible starts to be worth listing."""


def prefixes(pattern: re.Pattern, length: int = LENGTH) -> Optional[FrozenSet[Text]]:
    """Strings (1..length characters) one of which every match starts with; None: always run."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        opens, closed = _extend(list(P.parse(pattern.pattern, pattern.flags)), {""}, length)
    except _TooMany:
        return None
    starts = closed | opens
    return None if "" in starts or not starts else frozenset(starts)


def substrings(text: Text, length: int = LENGTH) -> Set[Text]:
    """Every substring of 1..length characters: what `prefixes` are looked up in."""
    return {text[i:i + size] for size in range(1, length + 1) for i in range(len(text) - size + 1)}


def _extend(items: Iterable, opens: Set[Text], length: int) -> Tuple[Set[Text], Set[Text]]:
    """Follow a sequence of parse items from the prefixes `opens`: (still open, finished)."""
    closed: Set[Text] = set()
    for op, argument in items:
        if not opens:
            break
        if op in _ZERO_WIDTH:
            continue
        if op is C.LITERAL:
            opens, done = _append(opens, (chr(argument),), length)
        elif op is C.IN and (chars := _class(argument)) is not None:
            opens, done = _append(opens, chars, length)
        elif op is C.SUBPATTERN:
            opens, done = _extend(argument[-1], opens, length)
        elif op is C.BRANCH:
            branches = [_extend(branch, set(opens), length) for branch in argument[1]]
            opens = set().union(*(o for o, _ in branches))
            done = set().union(*(d for _, d in branches))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            low, high, body = argument
            once, done = _extend(body, set(opens), length)
            if high > 1:  # what follows a second pass is not followed: end those prefixes here
                done |= once
                once = set()
            opens = (opens | once) if low == 0 else once
        else:  # any character, a category, a back-reference: the prefix ends here
            closed |= opens
            opens = set()
            continue
        closed |= done
        if len(opens) + len(closed) > _MAX_PREFIXES:
            raise _TooMany
    return opens, closed


def _append(opens: Set[Text], chars: Tuple[Text, ...], length: int) -> Tuple[Set[Text], Set[Text]]:
    longer = {start + char for start in opens for char in chars}
    full = {s for s in longer if len(s) >= length}
    return longer - full, full


def _class(items: List) -> Optional[Tuple[Text, ...]]:
    """The characters of a small [...] class; None for a negated, category or wide one."""
    chars: List[Text] = []
    for op, argument in items:
        if op is C.LITERAL:
            chars.append(chr(argument))
        elif op is C.RANGE and argument[1] - argument[0] < _MAX_CLASS:
            chars.extend(chr(c) for c in range(argument[0], argument[1] + 1))
        else:
            return None
    return tuple(chars) if len(chars) <= _MAX_CLASS else None

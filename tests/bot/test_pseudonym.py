"""Pseudonyms are stable, short, keyed, and reveal nothing."""

from bot.pseudonym import pseudonym


def test_stable_26_characters_and_keyed():
    first = pseudonym(b"k" * 40, "telegram", 987654321)
    assert first == pseudonym(b"k" * 40, "telegram", "987654321")
    assert len(first) == 26 and first.isalnum()
    assert first != pseudonym(b"j" * 40, "telegram", 987654321)
    assert first != pseudonym(b"k" * 40, "telegram", 987654322)
    assert "987654321" not in first

"""Test support shared by tests/ and bench/: the fake Telegram Bot API, a hand-moved
clock, and Rasa-action helpers. Imported as a package; nothing adds tests/ to sys.path."""

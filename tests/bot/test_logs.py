"""Operators' logs: one JSON object a line, an event name each, documented, no identifiers."""

import json
import logging
import re
from pathlib import Path

from bot.logs import JsonLines

ROOT = Path(__file__).resolve().parents[2]
LOG_CALL = re.compile(r"\blog\.(?:debug|info|warning|error|exception)\(\s*(\"[^\"]*\"|'[^']*'|f\"|[^\s\"'])")


def record(message, level=logging.WARNING, name="safe_harbor.telegram", **extra):
    rec = logging.LogRecord(name, level, __file__, 1, message, (), None)
    for key, value in extra.items():
        setattr(rec, key, value)
    return rec


def test_a_log_line_is_one_json_object_with_level_component_and_event():
    line = json.loads(JsonLines().format(record("relay_failed", error="NetworkError")))
    assert line["level"] == "warning" and line["component"] == "telegram" and line["event"] == "relay_failed"
    assert line["error"] == "NetworkError" and "time" in line


def test_an_exception_is_logged_by_class_only():
    try:
        raise ValueError("Rosa's phone is 555-0100")
    except ValueError:
        import sys
        rec = logging.LogRecord("safe_harbor.x", logging.ERROR, __file__, 1, "handler_failed", (), sys.exc_info())
    line = JsonLines().format(rec)
    assert json.loads(line)["error"] == "ValueError" and "555" not in line


def bot_log_calls():
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for match in LOG_CALL.finditer(path.read_text()):
            yield path.relative_to(ROOT), match.group(1)


def test_every_log_call_of_the_bot_names_an_event_and_builds_no_sentence():
    calls = list(bot_log_calls())
    assert len(calls) >= 15, "the scan finds the bot's log calls"
    bad = [(path, first) for path, first in calls if not re.fullmatch(r'"[a-z][a-z_]*"', first)]
    assert not bad, f"log calls that are not a plain event name: {bad}"


def test_every_event_is_explained_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = sorted({first.strip('"') for _, first in bot_log_calls()} - set(re.findall(r"`([a-z_]+)`", readme)))
    assert not missing, f"README's 'Running it' does not explain: {missing}"

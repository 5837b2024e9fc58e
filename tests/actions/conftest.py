"""Fixtures for custom-action tests: a tracker in one call, an action run without Rasa."""

import pytest

from testkit import actions


@pytest.fixture
def make_tracker():
    """make_tracker(slots=..., latest=..., events=..., active_loop=...) -> rasa_sdk Tracker."""
    return actions.make_tracker


@pytest.fixture
def run_action():
    """await run_action(action, tracker=None, domain=None) -> (messages, events)."""
    return actions.run_action

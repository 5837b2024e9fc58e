"""Running a custom action the way the action server does, without Rasa."""

from typing import Any, Dict, Iterable, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


def make_tracker(slots: Optional[Dict[str, Any]] = None, latest: Optional[Dict[str, Any]] = None,
                 events: Iterable[Dict[str, Any]] = (), active_loop: Optional[str] = None) -> Tracker:
    """A tracker with these slots, latest message, events and active form."""
    return Tracker("s", dict(slots or {}), dict(latest or {}), list(events), False, None,
                   {"name": active_loop} if active_loop else {}, "")


async def run_action(action: Action, tracker: Optional[Tracker] = None,
                     domain: Optional[Dict[str, Any]] = None) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """(messages the action sent, events it returned)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker or make_tracker(), domain or {})
    return dispatcher.messages, events

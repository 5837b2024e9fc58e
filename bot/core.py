"""The bridge's core, independent of any chat platform.

One incoming message becomes an ordered list of things to do: replies to
show, and the effects of custom payloads (quick exit, forget, handoff). The
Telegram adapter and the terminal chat both call the same `Core` methods, so every rule
about commands, Rasa being down and payloads lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Text, Tuple, Union

from bot import metrics
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.texts import all_texts, text
from components.safety_patterns import INTENT_OF, Patterns, default_patterns
from knowledge.helplines import always_open_contact

COMMANDS = ("start", "help", "language", "exit", "forget")
# Commands that are Rasa intents under another name.
TO_RASA = {"start": "/greet", "language": "/change_language", "forget": "/forget_me"}
QUICK_EXIT_PAYLOAD = "/quick_exit"
ASK_HELPLINE_PAYLOAD = "/ask_helpline"  # Rasa asks where they are first, if it does not know
HIDE_WORDS_AT_MOST = 6
URGENT_REASONS = tuple(INTENT_OF)  # "self_harm", "danger": the safety layer's kinds


@dataclass
class Button:
    title: Text
    payload: Text


@dataclass
class Reply:
    text: Text
    buttons: List[Button] = field(default_factory=list)


@dataclass
class QuickExit:
    """Delete the chat, leave one neutral line, keep nothing (bot/erasure.py)."""

    rasa_erased: bool = False  # Rasa asked for it, so its tracker is already gone


@dataclass
class Forget:
    """Delete the chat, say what was deleted, erase this pseudonym from the bot store
    (Rasa erased its tracker when it asked for this)."""


@dataclass
class LanguageChosen:
    """The survivor chose a language in the chat: the bot's own texts follow it from now on."""

    language: Text


@dataclass(frozen=True)
class HandoffRequest:
    """What the survivor asked for, as the `{"handoff": ...}` payload said it (DESIGN.md §3).

    Parsed once, here; `summary` is kept only when they consented to share it."""

    language: Text = "en"
    region: Text = ""
    needs: Tuple[Text, ...] = ()
    urgent: bool = False
    urgent_reason: Optional[Text] = None  # "self_harm" | "danger"
    summary: Optional[Text] = None
    safe_to_talk: Optional[bool] = None  # their answer to "is it safe to talk?"; None: not asked

    @classmethod
    def parse(cls, payload: Dict[Text, Any]) -> "HandoffRequest":
        needs = payload.get("needs") or []
        consented = payload.get("consent_to_share") is True
        return cls(
            language=str(payload.get("language") or "en"),
            region=str(payload.get("region") or ""),
            needs=tuple(str(need) for need in (needs if isinstance(needs, list) else [needs])),
            urgent=payload.get("urgency") == "high",
            urgent_reason=payload.get("urgency_reason") if payload.get("urgency_reason") in URGENT_REASONS else None,
            summary=str(payload["summary"]) if consented and payload.get("summary") else None,
            safe_to_talk=payload.get("safe_to_talk") if isinstance(payload.get("safe_to_talk"), bool) else None,
        )


@dataclass
class HandoffRequested:
    """Open a case for this person (or keep the one they have)."""

    request: HandoffRequest


Step = Union[Reply, QuickExit, Forget, HandoffRequested, LanguageChosen]


def language_from_code(code: Optional[Text]) -> Text:
    """Two-letter language from a platform code such as 'es-419'; English if none."""
    return (code or "en").split("-")[0].lower()[:2] or "en"


class Core:
    """Turn one survivor message into steps, talking to Rasa under a pseudonym."""

    def __init__(self, rasa: RasaClient, default_region: Optional[Text],
                 safety: Optional[Patterns] = None) -> None:
        self.rasa = rasa
        self.default_region = default_region
        self.safety = safety or default_patterns()

    def asks_to_hide(self, message: Text) -> bool:
        """Short words that ask to hide the chat ("hide this", "borra todo"): during a live
        case they hide it instead of reaching the advocate. Long messages only talk about it."""
        return len(message.split()) <= HIDE_WORDS_AT_MOST and self.safety.assess(message).hide

    def risk(self, message: Text) -> Optional[Tuple[Text, bool]]:
        """("self_harm" | "danger", sure) when words relayed to an advocate carry a risk (the
        same word lists, model and threshold as Rasa's safety layer); None when they do not."""
        assessment = self.safety.assess(message)
        verdict = assessment.verdict()
        if verdict is None:
            return None
        kind, _ = assessment.top()
        return kind, verdict == INTENT_OF[kind]

    async def safety_reply(self, sender: Text, kind: Text, language: Text) -> List[Step]:
        """The crisis or danger reply for a relayed risk message: Rasa gets the intent, not the words."""
        return await self.ask_rasa(sender, f"/{INTENT_OF[kind]}", language)

    async def handle_text(self, sender: Text, message: Text, language: Text) -> List[Step]:
        """What the survivor typed: a /command, or words for Rasa."""
        message = message.strip()
        if not message:
            return []
        if message.startswith("/"):
            name = message[1:].split(maxsplit=1)[0].split("@")[0].lower() if len(message) > 1 else ""
            return await self.command(sender, name, language)
        return await self.ask_rasa(sender, message, language)

    async def press(self, sender: Text, payload: Text, language: Text) -> List[Step]:
        """A button the assistant offered (the adapter checked it was offered)."""
        if payload == QUICK_EXIT_PAYLOAD:
            return await self.quick_exit(sender, language)
        return await self.ask_rasa(sender, payload, language)

    async def command(self, sender: Text, name: Text, language: Text) -> List[Step]:
        if name == "help":
            return [Reply(text("help", language), choices(language))]
        if name == "exit":
            return await self.quick_exit(sender, language)
        if name in TO_RASA:
            return await self.ask_rasa(sender, TO_RASA[name], language)
        return [Reply(text("unknown_command", language), choices(language))]

    def metadata(self, language: Text) -> Dict[Text, Any]:
        """What Rasa's session start reads: the survivor's language and the operator's region."""
        return {"language": language, "region": self.default_region}

    async def quick_exit(self, sender: Text, language: Text) -> List[Step]:
        """Leaving never waits on Rasa: its tracker is erased afterwards, in the background."""
        return [QuickExit(rasa_erased=False)]

    async def ask_rasa(self, sender: Text, message: Text, language: Text) -> List[Step]:
        try:
            replies = await self.rasa.send(sender, message, self.metadata(language))
        except RasaUnavailable:
            metrics.message(language, "rasa_unavailable")
            return [Reply(self.unavailable(language), [leave_quickly(language)])]  # works without Rasa
        metrics.turn(replies, language)
        return steps_from(replies)

    def unavailable(self, language: Text) -> Text:
        """Short, kind, and never empty-handed: a number open day and night where the operator
        set the region (the number, not a name a lock screen would show), else general advice."""
        contact = always_open_contact(self.default_region, language)
        then = text("unavailable_number", language).format(contact=contact) if contact else text(
            "unavailable_anywhere", language)
        return f"{text('unavailable', language)}\n{then}"


def leave_quickly(language: Text) -> Button:
    return Button(text("leave_quickly", language), QUICK_EXIT_PAYLOAD)


def choices(language: Text) -> List[Button]:
    """What the bot's own answers end with, so no message is a dead end (voice rule 1)."""
    return [Button(text("ask_a_question", language), "/ask_question"),
            Button(text("talk_to_a_person", language), "/request_advocate"), leave_quickly(language)]


def as_specs(buttons: List[Button]) -> List[Tuple[Text, Text]]:
    """Buttons as the Messenger takes them: (title, data)."""
    return [(button.title, button.payload) for button in buttons]


def steps_from(replies: List[Dict[Text, Any]]) -> List[Step]:
    """Rasa's REST replies as steps, in order."""
    steps: List[Step] = []
    for reply in replies:
        if reply.get("text") or reply.get("buttons"):
            buttons = [Button(b["title"], b["payload"]) for b in reply.get("buttons") or []]
            steps.append(Reply(reply.get("text") or "", buttons))
        custom = reply.get("custom") or {}
        if custom.get("quick_exit"):
            steps.append(QuickExit(rasa_erased=True))
        if custom.get("forget"):
            steps.append(Forget())
        if isinstance(custom.get("language"), str) and custom["language"] in all_texts():
            steps.append(LanguageChosen(custom["language"]))
        if isinstance(custom.get("handoff"), dict):
            steps.append(HandoffRequested(HandoffRequest.parse(custom["handoff"])))
    return steps

"""Terminal chat with the assistant, for trying it without Telegram.

Buttons are shown numbered; typing the number presses the button. Steps are
honoured the way a survivor would see them: quick exit clears the screen and
starts a fresh, unrelated conversation; forget starts a fresh one too.
"""

from __future__ import annotations

import argparse
import asyncio
import locale
import os
import secrets
import sys
from typing import List, Text

from bot.core import Core, Forget, HandoffRequested, LanguageChosen, QuickExit, Reply, Step
from bot.rasa_client import RasaUnavailable
from bot.settings import load
from bot.texts import text
from bot.wiring import Bridge, build

CLEAR_SCREEN = "\033[2J\033[H"


def new_sender() -> Text:
    """A random conversation id: the terminal has no account to hide."""
    return "console-" + secrets.token_hex(8)


def locale_language() -> Text:
    """Two-letter language of the terminal's locale, e.g. 'es' for es_MX."""
    name = os.environ.get("LC_ALL") or os.environ.get("LANG") or locale.getlocale()[0] or ""
    return name[:2].lower() if name[:2].isalpha() else "en"


class ConsoleChat:
    """One terminal conversation: a line in, the lines to print out."""

    def __init__(self, core: Core, language: Text) -> None:
        self.core = core
        self.language = language
        self.sender = new_sender()
        self.buttons: List = []

    async def handle(self, line: Text) -> List[Text]:
        line = line.strip()
        if line.isdigit() and 1 <= int(line) <= len(self.buttons):
            steps = await self.core.press(self.sender, self.buttons[int(line) - 1].payload, self.language)
        else:
            steps = await self.core.handle_text(self.sender, line, self.language)
        if any(isinstance(step, QuickExit) and not step.rasa_erased for step in steps):
            await self.erase_in_rasa()
        return self.render(steps) if line else []

    async def erase_in_rasa(self) -> None:
        """The terminal has no chat to delete; Rasa's tracker goes (if Rasa is there)."""
        try:
            await self.core.rasa.erase(self.sender)
        except RasaUnavailable:
            pass  # Rasa's retention purge removes it

    def render(self, steps: List[Step]) -> List[Text]:
        out: List[Text] = []
        self.buttons = []
        for step in steps:
            if isinstance(step, Reply):
                out.extend(part for part in [step.text] if part)
                for button in step.buttons:
                    self.buttons.append(button)
                    out.append(f"  [{len(self.buttons)}] {button.title}")
            elif isinstance(step, QuickExit):
                self.sender = new_sender()
                return [CLEAR_SCREEN + text("left", self.language)]
            elif isinstance(step, Forget):
                self.sender = new_sender()
                out.append(text("forgotten", self.language))
            elif isinstance(step, HandoffRequested):
                out.append(text("handoff_sent", self.language))
            elif isinstance(step, LanguageChosen):
                self.language = step.language
        return out


async def main(bridge: Bridge, language: Text) -> None:
    """Chat until end of input; the bridge (Rasa client, RASA_TIMEOUT_SECONDS) comes from `build`."""
    chat = ConsoleChat(bridge.core, language)
    print(text("console_intro", language))
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            for out in await chat.handle(line):
                print(out if out.startswith(CLEAR_SCREEN) else f"> {out}")
    finally:
        await bridge.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] + " Settings as for `python -m bot`.")
    parser.add_argument("--language", default=locale_language())
    arguments = parser.parse_args()
    try:
        asyncio.run(main(build(load()), arguments.language))
    except KeyboardInterrupt:
        pass

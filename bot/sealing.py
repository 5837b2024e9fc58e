"""The one Telegram id the bot store may hold, sealed: AES-256-GCM under CHAT_ID_KEY.

An open case must be able to reach the survivor's chat (an advocate's reply
arrives long after the survivor wrote). The chat id is kept only as a sealed
token, bound to the case's pseudonym, so a copy of the database alone reveals
no Telegram id, and a token moved to another case does not open.
"""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Text

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class Sealer:
    """Seal and open chat ids; the key never leaves this object."""

    def __init__(self, secret: bytes) -> None:
        self._aead = AESGCM(hashlib.sha256(secret).digest())  # any secret of 32+ characters → a 256-bit key

    def seal(self, chat_id: int, pseudonym: Text) -> Text:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, str(chat_id).encode(), pseudonym.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, token: Text, pseudonym: Text) -> int:
        """The chat id; ValueError if the token was altered, moved or sealed with another key."""
        raw = base64.urlsafe_b64decode(token.encode())
        try:
            return int(self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], pseudonym.encode()))
        except InvalidTag:
            raise ValueError("this chat token does not open with this key and case") from None

"""Pseudonyms: the only name Rasa, the store and the logs ever see for a person.

HMAC-SHA256(PSEUDONYM_KEY, "telegram:" + user_id), base32, 26 characters. Without
the key nobody can go from a pseudonym back to a Telegram account.
"""

import base64
import hashlib
import hmac
from typing import Text, Union


def pseudonym(key: bytes, platform: Text, user_id: Union[int, Text]) -> Text:
    digest = hmac.new(key, f"{platform}:{user_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().rstrip("=").lower()[:26]

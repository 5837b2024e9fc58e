"""The bot's logs for operators: one JSON object a line (LOG_FORMAT=json, the default), with
`time`, `level`, `component`, `event` and only the fields the code passes as `extra`.

Every log call names an event ("rasa_unreachable", "alert_sent"), never a sentence built
from data; its fields are error class names, counts and settings. No identifier or text
of a conversation is ever logged (README, "Running it", lists every event).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Text

STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> Text:
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "component": record.name.removeprefix("safe_harbor."),
            "event": record.getMessage(),
        }
        line.update({key: value for key, value in vars(record).items() if key not in STANDARD})
        if record.exc_info:  # the class only: a traceback's values could hold a message
            line["error"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(log_format: Text, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)

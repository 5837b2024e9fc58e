"""A server's output into a log file that rotates every hour and keeps RETENTION_HOURS of it.

    some-server 2>&1 | python scripts/log_to_file.py var/rasa.log

The logs hold no names or messages by design, but they do hold times and
pseudonyms; like everything else, they are kept no longer than the retention.
Files are readable by their owner only.
"""

from __future__ import annotations

import logging.handlers
import math
import os
import sys


def main(path: str) -> None:
    os.umask(0o077)
    hours = float(os.environ.get("RETENTION_HOURS") or 72)
    handler = logging.handlers.TimedRotatingFileHandler(path, when="h", backupCount=max(1, math.ceil(hours)))
    handler.setFormatter(logging.Formatter("%(message)s"))
    for line in sys.stdin:
        handler.emit(logging.makeLogRecord({"msg": line.rstrip("\n")}))
    handler.close()


if __name__ == "__main__":
    main(sys.argv[1])

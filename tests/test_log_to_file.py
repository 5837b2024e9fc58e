"""Server logs (scripts/log_to_file.py): owner-only files, rotated by the hour, kept for the retention."""

import logging.handlers
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_servers_output_lands_in_an_owner_only_log_that_rotates_hourly_within_retention(tmp_path, monkeypatch):
    log = tmp_path / "rasa.log"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "log_to_file.py"), str(log)], input=b"up\nready\n",
                   check=True, env={"RETENTION_HOURS": "5", "PATH": "/usr/bin:/bin"})
    assert log.read_text() == "up\nready\n"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    made = []
    monkeypatch.setattr(logging.handlers.TimedRotatingFileHandler, "__init__",
                        lambda self, path, **kw: made.append(kw) or logging.FileHandler.__init__(self, path))
    import importlib.util
    spec = importlib.util.spec_from_file_location("log_to_file", ROOT / "scripts" / "log_to_file.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module.os, "umask", lambda mask: 0o022)  # not this test process's own
    monkeypatch.setenv("RETENTION_HOURS", "72")
    monkeypatch.setattr(sys, "stdin", iter([]))
    module.main(str(tmp_path / "other.log"))
    assert made == [{"when": "h", "backupCount": 72}]

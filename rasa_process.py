"""How this project runs Rasa: the environment that sends nothing home, and the train command.

One home for both: the Makefile (`python -m rasa_process train`), the tests'
harness and the benchmark use them from here; scripts/run.sh and the Makefile
read the same `rasa.env`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ENV_FILE = ROOT / "rasa.env"
MODEL_NAME = "safe-harbor"


def nothing_sent_home() -> Dict[str, str]:
    """The variables of rasa.env (telemetry and Sentry off)."""
    return {key: value or "" for key, value in dotenv_values(ENV_FILE).items()}


def rasa_env(**extra: str) -> Dict[str, str]:
    """This process's environment, with nothing sent home, plus `extra`."""
    return {**os.environ, **nothing_sent_home(), **extra}


def train_command(out: str = "models", name: str = MODEL_NAME, force: bool = False) -> List[str]:
    """`rasa train` on this project's data, domain and config."""
    command = [str(BIN / "rasa"), "train", "--data", "data", "--domain", "domain.yml",
               "--config", "config.yml", "--out", out, "--fixed-model-name", name]
    return command + (["--force"] if force else [])


def endpoints_for(action_url: str, folder: Path) -> Path:
    """endpoints.yml with the action server at `action_url`: tests and benchmarks run it on a
    free port. (Rasa reads the action server's address only from the file, and a bare
    `rasa run` must work with no setting, so the file names the usual one.)"""
    import yaml

    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    endpoints["action_endpoint"]["url"] = action_url
    path = folder / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return path


def train(out: str = "models", name: str = MODEL_NAME, force: bool = False, **run) -> None:
    """Train (Rasa skips it when nothing changed, unless `force`)."""
    subprocess.run(train_command(out, name, force), cwd=ROOT, env=rasa_env(), check=True, **run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["train"])
    parser.add_argument("--out", default="models")
    parser.add_argument("--name", default=MODEL_NAME)
    parser.add_argument("--force", action="store_true", help="train even if nothing changed")
    arguments = parser.parse_args()
    train(arguments.out, arguments.name, arguments.force)


if __name__ == "__main__":
    main()

"""How far DIET's confidence can be trusted: a few training settings, measured on held-out data.

Usage: python scripts/calibration.py [--out reports/calibration.json]

Trains the intent classifier alone (config.yml's pipeline without the response
selector, the fallback and the safety layer, so the figures are DIET's own)
once per setting, then parses the held-out NLU phrasings (tests/nlu/heldout.yml)
and the risk messages of the blind safety set (tests/safety/, gold intent
crisis_self_harm or immediate_danger). Reports accuracy, expected calibration
error (10 bins), the mean confidence of wrong answers and the share of wrong
answers given with confidence >= 0.99. Slow: a few minutes per setting.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rasa_process  # noqa: E402
from scripts.safety_eval import examples  # noqa: E402

LEFT_OUT = ("ResponseSelector", "FallbackClassifier", "SafetyLayer")
SETTINGS: Dict[str, Dict] = {
    "current (60 epochs, constrain_similarities)": {},
    "constrain_similarities off": {"constrain_similarities": False},
    "20 epochs": {"epochs": 20},
}


def gold() -> List[Tuple[str, str]]:
    data = yaml.safe_load((ROOT / "tests" / "nlu" / "heldout.yml").read_text("utf-8"))
    rows = [(text, block["intent"]) for block in data["nlu"]
            for text in re.findall(r"^\s*- (.+)$", block["examples"], re.M)]
    rows += [(text, label) for _, label, text in examples("heldout") if label != "none"]
    return rows


def config_with(changes: Dict) -> Dict:
    config = yaml.safe_load((ROOT / "config.yml").read_text("utf-8"))
    pipeline = [c for c in config["pipeline"] if not c["name"].endswith(LEFT_OUT)]
    for component in pipeline:
        if component["name"] == "DIETClassifier":
            component.update(changes)
    return {**config, "pipeline": pipeline, "policies": []}


def measure(model: Path, rows: List[Tuple[str, str]]) -> Dict:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    scored = []
    for text, want in rows:
        intent = loop.run_until_complete(agent.parse_message(text))["intent"]
        scored.append((float(intent["confidence"]), intent["name"] == want))
    bins: Dict[int, List[Tuple[float, bool]]] = {}
    for confidence, right in scored:
        bins.setdefault(min(int(confidence * 10), 9), []).append((confidence, right))
    ece = sum(len(b) / len(scored) * abs(sum(c for c, _ in b) / len(b) - sum(r for _, r in b) / len(b))
              for b in bins.values())
    wrong = [c for c, right in scored if not right]
    return {"examples": len(scored), "accuracy": round(1 - len(wrong) / len(scored), 3),
            "ece": round(ece, 3), "mean_confidence_when_wrong": round(sum(wrong) / len(wrong), 3) if wrong else None,
            "wrong_at_0.99_or_more": round(sum(c >= 0.99 for c in wrong) / len(wrong), 3) if wrong else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "calibration.json")
    args = parser.parse_args()
    rows, report = gold(), {}
    for name, changes in SETTINGS.items():
        with tempfile.TemporaryDirectory() as directory:
            config = Path(directory) / "config.yml"
            config.write_text(yaml.safe_dump(copy.deepcopy(config_with(changes))), "utf-8")
            start = time.monotonic()
            subprocess.run([str(rasa_process.BIN / "rasa"), "train", "nlu", "--config", str(config),
                            "--nlu", "data/nlu", "--out", directory, "--fixed-model-name", "calibration"],
                           cwd=ROOT, env=rasa_process.rasa_env(), check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            figures = measure(Path(directory) / "calibration.tar.gz", rows)
            figures["training_seconds"] = round(time.monotonic() - start)
        report[name] = figures
        print(f"{name}: {figures}", flush=True)
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How often the language detector picks the language the assistant should answer in.

Usage: python scripts/language_eval.py [--split heldout|dev]
Writes reports/language-id-<split>.json and prints one line per group.

The detector is trained on data/nlu/ exactly as `rasa train` trains it, then
reads tests/language/<split>.yml, written blind. Each group has the language
the answer should be in: Ukrainian typed in Latin letters is Ukrainian, and
Russian is answered in Ukrainian, the closest language the assistant has (a
survivor can always choose another with /language). `dev` is for tuning the
detector's settings; figures are reported from `heldout` only.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Dict, Text

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # components/, when run as a script
EXPECTED = {"en": "en", "es": "es", "uk": "uk", "uk_latin": "uk", "ru": "uk"}
MIN_ACCURACY = 0.95


def trained_detector(config: Dict = None):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.loading import load_data

    from components.language_detector import LanguageDetector

    settings = config if config is not None else pipeline_config()
    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    detector = LanguageDetector.create(settings, storage, Resource("language_detector"),
                                       ExecutionContext(GraphSchema({}), "eval"))
    detector.train(load_data(str(ROOT / "data" / "nlu")))
    return detector


def pipeline_config() -> Dict:
    """The detector's settings in config.yml, as Rasa uses them."""
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text("utf-8"))["pipeline"]
    [step] = [s for s in pipeline if s["name"].endswith("LanguageDetector")]
    return {key: value for key, value in step.items() if key != "name"}


def trained_on() -> set:
    """Every NLU example, lower-cased: common words ("так", "thanks") are in both sets."""
    found = set()
    for path in (ROOT / "data" / "nlu").rglob("*.yml"):
        for block in (yaml.safe_load(path.read_text("utf-8")) or {}).get("nlu") or []:
            found |= {line[2:].strip().lower() for line in (block.get("examples") or "").splitlines()
                      if line.startswith("- ")}
    return found


def evaluate(detector, split: Text = "heldout") -> Dict[Text, Dict]:
    """Per group: accuracy on all its messages, and on those not also in the training data."""
    data = yaml.safe_load((ROOT / "tests" / "language" / f"{split}.yml").read_text("utf-8"))
    seen = trained_on()
    results = {}
    for group, messages in data.items():
        expected = EXPECTED[group]
        got = [detector.detect(message) for message in messages]
        misses = [(m, g) for m, g in zip(messages, got, strict=True) if g != expected]
        unseen = [m for m in messages if m.strip().lower() not in seen]
        results[group] = {"expected": expected, "n": len(messages),
                          "accuracy": round(1 - len(misses) / len(messages), 3),
                          "unseen": {"n": len(unseen), "accuracy": round(
                              1 - sum(m in unseen for m, _ in misses) / max(len(unseen), 1), 3)},
                          "unsure": sum(g is None for g in got), "misses": misses}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="heldout", choices=("heldout", "dev"))
    args = parser.parse_args()
    results = evaluate(trained_detector(), args.split)
    out = ROOT / "reports" / f"language-id-{args.split}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    for group, result in results.items():
        print(f"{group:9} → {result['expected']}: {result['accuracy']:.3f} "
              f"({result['n'] - len(result['misses'])}/{result['n']}, unsure {result['unsure']}); "
              f"on the {result['unseen']['n']} not in the training data {result['unseen']['accuracy']:.3f}")


if __name__ == "__main__":
    main()

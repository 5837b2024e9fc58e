"""`make bench` (part): what the safety layer costs per message, and to train.

Runs Rasa's own SafetyLayer component (trained and loaded back, as `rasa run`
does) over every message of the blind set and the examples, many times, and
reports p50/p95/p99 per message and the training time of the word lists and
the learned model. Writes reports/bench-safety.json and prints one line.
The budget (issue 9) is 2 ms per message at p95.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bench.report import percentile
from components.safety_layer import SafetyLayer
from scripts.safety_eval import ROOT, examples

ROUNDS = 5
BUDGET_P95_MS = 2.0


def messages() -> List[str]:
    return [text for split in ("heldout", "examples") for _, _, text in examples(split)]


def measure() -> Dict:
    with tempfile.TemporaryDirectory() as directory:
        storage, resource = LocalModelStorage(Path(directory)), Resource("safety_layer")
        start = time.perf_counter()
        SafetyLayer.create({}, storage, resource, None).train(TrainingData())
        train_seconds = time.perf_counter() - start
        layer = SafetyLayer.load({}, storage, resource, None)
    texts = messages()
    timings: List[float] = []
    for _ in range(ROUNDS):
        for text in texts:
            message = Message(data={"text": text, "intent": {"name": "faq", "confidence": 1.0}})
            start = time.perf_counter()
            layer.process([message])
            timings.append((time.perf_counter() - start) * 1000)
    return {"messages": len(texts), "rounds": ROUNDS, "train_seconds": round(train_seconds, 2),
            "p50_ms": round(percentile(timings, 50), 3), "p95_ms": round(percentile(timings, 95), 3),
            "p99_ms": round(percentile(timings, 99), 3), "max_ms": round(max(timings), 3),
            "budget_p95_ms": BUDGET_P95_MS}


def main() -> None:
    report = measure()
    out = ROOT / "reports" / "bench-safety.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    verdict = "within" if report["p95_ms"] <= BUDGET_P95_MS else "OVER"
    print(f"safety layer: p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms ({verdict} the "
          f"{BUDGET_P95_MS} ms budget) over {report['messages']}x{ROUNDS} messages; "
          f"trains in {report['train_seconds']} s")


if __name__ == "__main__":
    main()

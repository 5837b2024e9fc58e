"""Summarise `rasa test nlu` output for developers: macro-F1, per intent, confusions.

Usage: python scripts/nlu_report.py REPORT_DIR  (the --out of `rasa test nlu`).
Writes REPORT_DIR/../nlu-summary.md and prints macro-F1 on the last line.
"""

import json
import sys
from pathlib import Path
from typing import Dict, List, Tuple

AGGREGATES = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def rows(report: Dict) -> List[Tuple[str, Dict]]:
    return sorted((label, v) for label, v in report.items() if label not in AGGREGATES)


def confusions(report: Dict) -> List[Tuple[int, str, str]]:
    pairs = [(count, label, other) for label, v in rows(report)
             for other, count in (v.get("confused_with") or {}).items()]
    return sorted(pairs, reverse=True)


def section(title: str, report: Dict) -> List[str]:
    lines = [f"## {title}", "", f"macro-F1 **{report['macro avg']['f1-score']:.3f}**, "
             f"accuracy {report.get('accuracy', float('nan')):.3f}", "",
             "| label | precision | recall | F1 | examples |", "|---|---|---|---|---|"]
    lines += [f"| {label} | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1-score']:.2f} | {v['support']} |"
              for label, v in rows(report)]
    top = confusions(report)[:10]
    lines += ["", "Most confused (true → predicted, count):", ""]
    lines += [f"- {label} → {other}: {count}" for count, label, other in top] or ["- none"]
    return lines + [""]


def main(directory: Path) -> None:
    intents = json.loads((directory / "intent_report.json").read_text())
    lines = ["# NLU evaluation", "", "From `make evaluate`: the trained model on the held-out phrasings in tests/nlu.", ""]
    lines += section("Intents", intents)
    selection = directory / "response_selection_report.json"
    if selection.exists():
        lines += section("FAQ topics (response selection)", json.loads(selection.read_text()))
    summary = directory.parent / "nlu-summary.md"
    summary.write_text("\n".join(lines))
    print(f"wrote {summary}")
    print(f"intent macro-F1: {intents['macro avg']['f1-score']:.3f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

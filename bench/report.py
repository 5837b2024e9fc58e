"""Percentiles, the JSON report, the plot and the one-line summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List

from bench.drivers import Sample


def percentile(values: List[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def summary(samples: List[Sample], seconds: float = 0.0) -> Dict[str, float]:
    """Milliseconds p50/p95/p99, count, errors, and messages/s when `seconds` is given."""
    times = [s.seconds * 1000 for s in samples if s.seconds is not None]
    figures: Dict[str, float] = {"messages": len(samples), "errors": len(samples) - len(times)}
    if times:
        figures.update(p50_ms=round(percentile(times, 50), 1), p95_ms=round(percentile(times, 95), 1),
                       p99_ms=round(percentile(times, 99), 1))
    if seconds:
        figures["per_second"] = round(len(times) / seconds, 1)
    return figures


def plot(report: Dict, path: Path) -> None:
    """Latency percentiles of the full path against the number of conversations."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    loads = sorted(int(n) for n in report["open_loop"])
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for key, style in (("p50_ms", "o-"), ("p95_ms", "s-"), ("p99_ms", "^-")):
        axes.plot(loads, [report["open_loop"][str(n)].get(key) for n in loads], style, label=key[:3])
    axes.axhline(300, color="grey", linestyle="--", linewidth=1, label="p95 target (300 ms)")
    axes.set_xlabel("simultaneous conversations (open loop, 5 s mean pause)")
    axes.set_ylabel("survivor message → full reply (ms)")
    axes.set_title(f"Safe Harbor full path · {report['machine']['cpus']} cores")
    axes.set_yscale("log")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def one_line(report: Dict) -> str:
    o, s, r = report["overhead"], report["saturation"], report.get("relay", {})
    heaviest = report["open_loop"][max(report["open_loop"], key=int)]
    return (f"overhead p50 {o['bot']['p50_ms']}/{o['rasa']['p50_ms']} ms (ratio {o['ratio_p50']}) · "
            f"open loop {max(report['open_loop'], key=int)} conv p95 {heaviest.get('p95_ms')} ms, "
            f"{heaviest['errors']} errors · saturation {s['bot']['per_second']}/{s['rasa']['per_second']} msg/s "
            f"({s['ratio']}) · relay p95 {r.get('advocate_to_survivor', {}).get('p95_ms')} ms")


def write(report: Dict, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "bench.json").write_text(json.dumps(report, indent=2))
    plot(report, directory / "bench.png")

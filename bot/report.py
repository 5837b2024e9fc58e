"""The operator's report for a period, in plain words and one chart (`make report`).

Built only from the daily counts (bot/tallies.py), never from conversations.
Every count below 10 is written "fewer than 10", and left out of shares and of
the chart, so a small organisation cannot single out one survivor from it.

    python -m bot.report [--days 30 | --since 2026-11-01 --until 2026-11-30] [--out reports]
    python -m bot.report --example      # a seeded week in a throwaway store
"""

from __future__ import annotations

import argparse
import random
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Text, Tuple

from bot.metrics import WAIT_MINUTES
from bot.store import Store
from bot.tallies import DailyCounts
from bot.texts import texts_of

SMALL = 10  # counts below this are never shown as numbers
SAFETY_NAMES = {"self_harm": "self-harm risk", "danger": "danger", "check": "'are you safe?' checks"}
TOP_TOPICS = 5


def language_name(code: Text) -> Text:
    return texts_of("language_names", "en").get(code, "other languages")


def shown(count: int) -> Text:
    return "fewer than 10" if count < SMALL else f"{count:,}"


@dataclass
class Period:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __str__(self) -> Text:
        return f"{self.first.isoformat()} to {self.last.isoformat()} ({self.days} days)"


def median_wait(buckets: Dict[Text, int]) -> Optional[Text]:
    """The bucket holding the middle wait, in words; None with fewer than 10 waits."""
    order = [str(m) for m in WAIT_MINUTES] + ["more"]
    total = sum(buckets.get(b, 0) for b in order)
    if total < SMALL:
        return None
    seen = 0
    for index, bucket in enumerate(order):
        seen += buckets.get(bucket, 0)
        if seen * 2 >= total:
            if bucket == "more":
                return f"more than {WAIT_MINUTES[-1]} minutes"
            low = "0" if index == 0 else order[index - 1]
            return f"between {low} and {bucket} minutes"
    return None


def shares(counts: Dict[Text, int]) -> List[Tuple[Text, Text]]:
    """(name, "62%" or "fewer than 10"), largest first; shares only of counts of 10 or more."""
    total = sum(counts.values())
    rows = []
    for key, count in sorted(counts.items(), key=lambda item: -item[1]):
        rows.append((key, f"{round(100 * count / total)}%" if count >= SMALL else "fewer than 10"))
    return rows


def words(totals: Dict[Text, Dict[Text, int]], period: Period) -> Text:
    """The report in plain words."""
    conversations = totals.get("conversations", {})
    handoffs = sum(totals.get("handoffs", {}).values())
    safety = totals.get("safety", {})
    topics = totals.get("faq", {})
    lines = [f"Safe Harbor, {period}", ""]
    lines.append(f"Conversations: {shown(sum(conversations.values()))}.")
    lines.append(f"Asked for a person (handoffs): {shown(handoffs)}.")
    wait = median_wait(totals.get("wait", {}))
    lines.append(f"Median wait for an advocate: {wait}." if wait else
                 "Median wait for an advocate: not shown (fewer than 10 cases taken).")
    if conversations:
        lines.append("Languages: " + "; ".join(f"{language_name(k)} {v}" for k, v in shares(conversations)) + ".")
    common = [(topic, count) for topic, count in sorted(topics.items(), key=lambda item: -item[1]) if count >= SMALL]
    if common:
        lines.append("Most asked questions: " + "; ".join(
            f"{topic.replace('_', ' ')} ({count:,})" for topic, count in common[:TOP_TOPICS]) + ".")
    else:
        lines.append("Most asked questions: none asked 10 times or more.")
    lines.append("Safety replies: " + "; ".join(
        f"{name} {shown(safety.get(kind, 0))}" for kind, name in SAFETY_NAMES.items()) + ".")
    lines += ["", "Counts below 10 are shown as \"fewer than 10\" so that no one can be singled out.",
              "Built from daily counts only; no conversation is read to make it."]
    return "\n".join(lines) + "\n"


def chart(daily: Dict[Text, int], totals: Dict[Text, Dict[Text, int]], period: Period, path: Path) -> None:
    """Conversations a day (days under 10 drawn as an empty outline, no number) and the top questions."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    days = [period.first + timedelta(days=n) for n in range(period.days)]
    counts = [daily.get(day.isoformat(), 0) for day in days]
    figure, (per_day, topics) = pyplot.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [3, 2]})
    heights = [c if c >= SMALL else SMALL for c in counts]
    bars = per_day.bar(range(len(days)), heights, color=["#3b7dd8" if c >= SMALL else "none" for c in counts],
                       edgecolor=["#3b7dd8" if c >= SMALL else "#999999" for c in counts])
    for bar, count in zip(bars, counts, strict=True):
        if count < SMALL:
            bar.set_hatch("//")
    step = max(1, len(days) // 10)
    per_day.set_xticks(range(0, len(days), step), [d.strftime("%d %b") for d in days[::step]], rotation=45)
    per_day.set_title("Conversations a day (hatched: fewer than 10)")
    common = [(t, c) for t, c in sorted(totals.get("faq", {}).items(), key=lambda i: -i[1]) if c >= SMALL][:TOP_TOPICS]
    topics.barh([t.replace("_", " ") for t, _ in reversed(common)], [c for _, c in reversed(common)], color="#5aa469")
    topics.set_title("Most asked questions (10 or more)")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    pyplot.close(figure)


def build(daily_counts: DailyCounts, period: Period, out: Path) -> Tuple[Text, Path]:
    """Write `report.txt` and `report.png` into `out`; return the text and the chart's path."""
    totals = daily_counts.between(period.first, period.last)
    report = words(totals, period)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.txt").write_text(report, "utf-8")
    chart(daily_counts.per_day("conversations", period.first, period.last), totals, period, out / "report.png")
    return report, out / "report.png"


def seed_week(daily_counts: DailyCounts, last: date, seed: int = 7) -> Period:
    """A plausible week of counts (for `--example` and the tests): busy weekdays, some quiet days."""
    rng = random.Random(seed)
    first = last - timedelta(days=6)
    counts = {}
    for n in range(7):
        day = (first + timedelta(days=n)).isoformat()
        busy = 0.3 if n in (5, 6) else 1.0
        for language, base in (("en", 40), ("es", 22)):
            counts[(day, "conversations", language)] = int(rng.gauss(base, 4) * busy)
        counts[(day, "handoffs", "")] = int(rng.gauss(9, 2) * busy)
        for minutes, base in (("1", 2), ("2", 2), ("5", 3), ("10", 1), ("15", 1)):
            counts[(day, "wait", minutes)] = max(0, int(rng.gauss(base, 1) * busy))
        for topic, base in (("deportation_fear", 6), ("unpaid_wages", 5), ("debt", 4), ("documents_taken", 3),
                            ("shelter", 2), ("under_18", 0.2)):
            counts[(day, "faq", topic)] = max(0, int(rng.gauss(base, 1.5) * busy))
        counts[(day, "safety", "self_harm")] = rng.choice((0, 0, 1))
        counts[(day, "safety", "danger")] = rng.choice((0, 1, 2))
        counts[(day, "safety", "check")] = rng.choice((1, 2, 3))
    daily_counts.add({key: value for key, value in counts.items() if value > 0})
    return Period(first, last)


def main(argv: Optional[Sequence[Text]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=30, help="the last N days, up to today (UTC)")
    parser.add_argument("--since", type=date.fromisoformat)
    parser.add_argument("--until", type=date.fromisoformat)
    parser.add_argument("--out", type=Path, default=Path("reports"))
    parser.add_argument("--example", action="store_true", help="report a seeded week from a throwaway store")
    args = parser.parse_args(argv)
    until = args.until or date.today()
    if args.example:
        with tempfile.TemporaryDirectory() as folder:
            store = Store(f"sqlite:///{folder}/example.sqlite3")
            period = seed_week(DailyCounts(store.engine), until)
            report, png = build(DailyCounts(store.engine), period, args.out)
            store.close()
    else:
        from bot.settings import load

        store = Store(load().store_url)  # migrated first, like the bot does: a new store has the table
        period = Period(args.since or until - timedelta(days=args.days - 1), until)
        report, png = build(DailyCounts(store.engine), period, args.out)
        store.close()
    print(report + f"\nChart: {png}")


if __name__ == "__main__":
    main()

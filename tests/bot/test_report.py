"""The operator's report: plain words and a chart from daily counts, no count under 10 shown."""

import re
import subprocess
from datetime import date

from bot.report import Period, build, median_wait, seed_week, shares, words
from bot.store import Store
from bot.tallies import DailyCounts
from harness import BIN, ROOT

PNG = b"\x89PNG\r\n\x1a\n"


def numbers_shown(report):
    """Every count in the text: not dates, not percentages, not the "10" of the rule itself."""
    body = re.sub(r"\d{4}-\d{2}-\d{2}|\(\d+ days\)|\d+%|fewer than 10|10 times|below 10|between \d+ and \d+ minutes"
                  r"|more than \d+ minutes", "", report)
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", body)]


def test_a_seeded_week_gives_the_figures_in_words_and_a_chart(tmp_path):
    daily = DailyCounts(Store(f"sqlite:///{tmp_path}/bot.sqlite3").engine)
    period = seed_week(daily, date(2026, 11, 29))
    report, chart = build(daily, period, tmp_path / "reports")
    totals = daily.between(period.first, period.last)
    assert f"Conversations: {sum(totals['conversations'].values()):,}." in report
    assert f"Asked for a person (handoffs): {sum(totals['handoffs'].values())}." in report
    assert "Median wait for an advocate: between" in report
    assert "Languages: English" in report and "Spanish" in report
    assert "Most asked questions: deportation fear" in report
    assert chart.read_bytes().startswith(PNG)
    assert (tmp_path / "reports" / "report.txt").read_text() == report


def test_no_count_under_10_is_ever_a_number(tmp_path):
    daily = DailyCounts(Store(f"sqlite:///{tmp_path}/bot.sqlite3").engine)
    daily.add({("2026-11-02", "conversations", "en"): 40, ("2026-11-02", "conversations", "es"): 3,
               ("2026-11-02", "handoffs", ""): 4, ("2026-11-02", "faq", "debt"): 12, ("2026-11-02", "faq", "under_18"): 1,
               ("2026-11-02", "safety", "self_harm"): 2, ("2026-11-02", "safety", "danger"): 11,
               ("2026-11-02", "wait", "5"): 4})
    period = Period(date(2026, 11, 1), date(2026, 11, 7))
    report = words(daily.between(period.first, period.last), period)
    assert all(n >= 10 for n in numbers_shown(report)), report
    assert "Spanish fewer than 10" in report, "a small language gets no share either"
    assert "under 18" not in report, "a topic asked fewer than 10 times is left out"
    assert "self-harm risk fewer than 10" in report and "danger 11" in report
    assert "not shown (fewer than 10 cases taken)" in report


def test_the_median_wait_is_the_bucket_holding_the_middle_wait():
    assert median_wait({"1": 3, "5": 4, "30": 5}) == "between 2 and 5 minutes"
    assert median_wait({"more": 10}) == "more than 120 minutes"
    assert median_wait({"1": 9}) is None


def test_shares_are_of_counts_of_10_or_more():
    assert shares({"en": 30, "es": 10, "other": 2}) == [("en", "71%"), ("es", "24%"), ("other", "fewer than 10")]


def test_make_report_example_writes_the_text_and_the_chart(tmp_path):
    result = subprocess.run([str(BIN / "python"), "-m", "bot.report", "--example", "--out", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert "Conversations:" in result.stdout
    assert (tmp_path / "report.png").read_bytes().startswith(PNG)

"""Rasa's own dialogue test: every story in tests/stories must be predicted exactly."""

import subprocess

from harness import BIN, ROOT, rasa_env


def test_test_stories_pass_with_no_prediction_errors(model, tmp_path):
    result = subprocess.run(
        [str(BIN / "rasa"), "test", "core", "--model", str(model), "--stories", "tests/stories",
         "--fail-on-prediction-errors", "--out", str(tmp_path)],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True,
    )
    failed = (tmp_path / "failed_test_stories.yml")
    details = failed.read_text() if failed.exists() else result.stdout[-4000:] + result.stderr[-4000:]
    assert result.returncode == 0, details
    assert "None of the test stories failed" in failed.read_text()

"""Where the content lives."""

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent.parent / "data" / "resources"

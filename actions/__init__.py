"""Custom actions for the Safe Harbor assistant, served by `rasa run actions`."""

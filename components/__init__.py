"""Custom Rasa NLU components (loaded by the Rasa server, not the action server)."""

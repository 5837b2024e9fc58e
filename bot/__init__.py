"""The bridge between people and the Rasa assistant (terminal chat; Telegram later)."""

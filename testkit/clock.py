"""A clock tests move by hand (retention, waiting times, expiry)."""


class Clock:
    """Call it for the time; set or add to `now` to move it."""

    def __init__(self, now: float = 1_000_000.0) -> None:  # a Monday, 1970-01-12 13:46 UTC
        self.now = now

    def __call__(self) -> float:
        return self.now

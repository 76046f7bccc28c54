"""A one-line progress bar for seeding the demo, so a 100,000-patient seed shows it is alive.

Seeding is a fixed list of steps whose shares of the work are known from measurement
(charting is about half of it); within the long steps the generator says how far it has
got. The bar redraws in place (a carriage return, no newline) and only when the fraction
shown changes, so a file or pipe asked to take it gets a few hundred short lines' worth of
bytes, not one per row.
"""

from __future__ import annotations

from collections.abc import Callable

# Each step's share of a seed's CPU time (10,000 patients on PostgreSQL, see docs/demo.md).
STEP_SHARES = {
    "organisation": 1,
    "patients": 5,
    "treatment": 14,
    "ledger": 9,
    "charting": 40,
    "enquiries": 1,
    "assessments": 9,
    "outcomes": 14,
    "home program": 1,
    "kap": 1,
    "other areas": 1,
    "billing": 1,
    "commit": 3,
}
WIDTH = 30


class ProgressBar:
    """``[#####.........]  42% charting``, redrawn as the seed goes on: ``write`` takes the
    text as it is (no line ending added), ``flush`` pushes it out."""

    def __init__(
        self,
        write: Callable[[str], object],
        flush: Callable[[], object] = lambda: None,
        shares: dict[str, int] | None = None,
    ) -> None:
        self.write, self.flush = write, flush
        self.shares = dict(STEP_SHARES if shares is None else shares)
        self.total = sum(self.shares.values())
        self.finished = 0  # shares of the steps already done
        self.shown: tuple[int, str] | None = None

    def within(self, step: str, fraction: float) -> None:
        """``step`` is ``fraction`` (0 to 1) of the way through."""
        share = self.shares.get(step, 0) * min(max(fraction, 0.0), 1.0)
        self._draw((self.finished + share) / self.total, step)

    def done(self, step: str) -> None:
        """``step`` has finished; the bar moves past its share."""
        self.finished += self.shares.get(step, 0)
        self._draw(self.finished / self.total, step)

    def close(self) -> None:
        """End the line (the next output starts on its own)."""
        if self.shown is not None:
            self.write("\n")
            self.flush()

    def _draw(self, fraction: float, step: str) -> None:
        fraction = min(fraction, 1.0)
        percent = int(fraction * 100)
        if self.shown == (percent, step):
            return
        self.shown = (percent, step)
        filled = int(fraction * WIDTH)
        bar = "#" * filled + "." * (WIDTH - filled)
        self.write(f"\r[{bar}] {percent:3d}% {step:<14}")
        self.flush()

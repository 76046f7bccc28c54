"""What each kind of job runs. A feature app registers its runner in its ``AppConfig.ready``;
the jobs app imports no feature app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["JobResult", "Progress", "register_runner", "runner_for"]

# A runner reports progress as a whole percentage; it may be called as often as it likes.
Progress = Callable[[int], None]


@dataclass(frozen=True)
class JobResult:
    content: bytes
    name: str
    content_type: str


_RUNNERS: dict[str, Callable] = {}


def register_runner(kind: str, runner: Callable) -> None:
    """``runner(job, progress) -> JobResult``; it raises ``JobRefused`` for bad parameters."""
    _RUNNERS[kind] = runner


def runner_for(kind: str) -> Callable:
    return _RUNNERS[kind]


class JobRefused(Exception):
    """The job cannot be made (its parameters no longer hold); no retry helps."""

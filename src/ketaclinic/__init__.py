"""Ketaclinic: run ketamine-therapy programs safely and measure whether they work."""

__version__ = "0.1.0"

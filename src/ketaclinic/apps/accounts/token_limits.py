"""How long an API token lasts (no Django import: the command line's help reads these)."""

DEFAULT_DAYS = 90
MAX_DAYS = 365

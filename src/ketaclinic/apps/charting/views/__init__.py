"""Session chart pages: one module per part of the day."""

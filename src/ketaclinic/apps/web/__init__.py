"""The shell every page shares: layout, navigation, home, health check, error pages."""

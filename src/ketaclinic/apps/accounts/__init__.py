"""Organisations, sites, staff and their roles; who may see what is decided in ``access``."""

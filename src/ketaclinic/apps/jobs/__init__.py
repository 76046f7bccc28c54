"""Background jobs: work too slow for a request (a large ledger PDF), done by a worker."""

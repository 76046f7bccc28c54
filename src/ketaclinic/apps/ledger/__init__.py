"""The controlled-substance ledger: every milligram of ketamine from receipt to patient."""

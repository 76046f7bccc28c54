"""The tamper-evident audit trail: every read and write of patient data, hash-chained."""

"""The type of a record id an API caller sends as a filter: a whole number the database can hold.

Django turns an out-of-range id into "not found" for a primary key, but a foreign-key filter
(``container_id=10**30``) reaches the database driver, which raises (SQLite: ``OverflowError``;
PostgreSQL: ``integer out of range``) — a 500. Declaring the bound makes it a 422 naming the
parameter, and documents it in the OpenAPI schema.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

__all__ = ["MAX_RECORD_ID", "RecordId"]

# PostgreSQL's bigint and SQLite's INTEGER both end here.
MAX_RECORD_ID = 2**63 - 1
RecordId = Annotated[int, Field(ge=1, le=MAX_RECORD_ID)]

"""How wire values sit in the cache's columns, and back.

Most values are stored exactly as the wire carries them (text, numbers). Lists and objects are JSON
text in the columns named in :data:`JSON_COLUMNS`; booleans are 0/1. Columns the cache derives for
its own indexes (:data:`DERIVED_COLUMNS`) and the merge ``base`` are not part of a record's wire
form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from sqlalchemy import Boolean, Table

from rm_desk.domain.enums import Entity
from rm_desk.domain.fields import RecordRole, editable_fields

JSON_COLUMNS: Mapping[str, frozenset[str]] = {
    "customer": frozenset({"aum_12m", "contact_prefs", "soft_profile"}),
    "household": frozenset({"members"}),
    "visit": frozenset({"customer_ids", "linked_task_ids", "linked_opportunity_ids"}),
    "opportunity": frozenset({"suitability_snapshot"}),
    "alert": frozenset({"evidence"}),
    "rule_config": frozenset({"params"}),
}

DERIVED_COLUMNS: Mapping[str, frozenset[str]] = {
    "customer": frozenset({"name_pinyin", "aum_num", "tier_order"}),
    "visit": frozenset({"customer_id"}),
}

_NOT_WIRE = frozenset({"base"})


def merge_fields(entity: str) -> frozenset[str]:
    """Every field of ``entity`` the app may write in any part: what a merge ``base`` keeps."""
    try:
        kind = Entity(entity)
    except ValueError:
        return frozenset()
    return frozenset().union(*(editable_fields(kind, role) for role in RecordRole))


def wire_columns(table: Table) -> tuple[str, ...]:
    """The columns that hold a wire field (``id`` and ``rev`` included), in table order."""
    derived = DERIVED_COLUMNS.get(table.name, frozenset())
    # str(): SQLAlchemy's quoted_name is a str subclass that orjson refuses as a dict key.
    return tuple(
        str(c.name) for c in table.columns if c.name not in derived and c.name not in _NOT_WIRE
    )


def boolean_columns(table: Table) -> frozenset[str]:
    return frozenset(c.name for c in table.columns if isinstance(c.type, Boolean))


def encode_value(table: Table, column: str, value: Any) -> Any:
    """A wire value as it is stored in ``table.column``."""
    if value is not None and column in JSON_COLUMNS.get(table.name, frozenset()):
        return orjson.dumps(value).decode()
    return value


def decode_row(table: Table, row: Mapping[Any, Any]) -> dict[str, Any]:
    """A stored row back in its wire form (derived columns and ``base`` left out)."""
    json_columns = JSON_COLUMNS.get(table.name, frozenset())
    booleans = boolean_columns(table)
    record: dict[str, Any] = {}
    for name in wire_columns(table):
        if name not in row:
            continue
        value = row[name]
        if value is not None and name in json_columns:
            value = orjson.loads(value)
        elif name in booleans and value is not None:
            value = bool(value)
        record[name] = value
    return record

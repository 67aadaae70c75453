"""Changes the bank makes behind the RMs' backs, for the reference server's ``/dev`` calls.

- :func:`edit_record`: a back-office user changes any field of a record (or deletes it); the
  changed fields get a new rev, so a client's pending edit of the same field conflicts.
- :func:`reassign_customer`: a customer and every record of it move to another RM's book. All of
  them are re-stamped with new revs, so they appear in the new owner's feed after any cursor, and
  a scope exit for the customer tells the old RM (and the old team's lead, when the team
  changes) ``out_of_scope``. The customer's ``primary_rm_id`` becomes the new RM.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, or_, select, update

from crm_server.database import Database
from crm_server.problems import Code, ProblemError
from crm_server.record_store import (
    StoredRecord,
    apply_fields,
    feed_entry,
    load_record,
    save_record,
    write_scope_exit,
)
from crm_server.revs import take_revs
from crm_server.schema import app_user, record
from rm_desk.domain.entities import ENTITY_TYPES, InvalidRecord
from rm_desk.domain.enums import Entity, Role


def edit_record(
    database: Database, entity: str, record_id: str, fields: dict[str, Any], *, deleted: bool
) -> StoredRecord:
    """Change fields of a record as the bank would; optionally delete it.

    Raises:
        ProblemError: 404 for an unknown or deleted record, 422 for an unknown entity or values
            that do not parse with the entity's ``from_wire``.
    """
    kind = _entity(entity)
    if "id" in fields or "rev" in fields:
        raise _invalid({"id": "id and rev cannot be edited"})
    with database.write() as conn:
        current = load_record(conn, kind.value, record_id)
        if current is None or current.deleted:
            raise ProblemError(404, Code.NOT_FOUND, "There is no such record.")
        values: dict[str, Any] = {}
        if fields:
            merged = {**current.data, **fields, "id": current.id, "rev": current.rev}
            try:
                canonical = ENTITY_TYPES[kind].from_wire(merged).to_wire()
            except InvalidRecord as invalid:
                raise _invalid({invalid.field or "fields": invalid.message}) from None
            values = {name: canonical[name] for name in fields if name in canonical}
            unknown = sorted(set(fields) - set(canonical))
            if unknown:
                raise _invalid({name: "not a field of this entity" for name in unknown})
        changes = any(current.data.get(name) != value for name, value in values.items())
        if changes or deleted:
            rev = take_revs(conn)
            apply_fields(current, values, rev)
            current.rev = rev
            current.deleted = deleted
            save_record(conn, current)
    return current


def reassign_customer(database: Database, customer_id: str, to_rm: str) -> dict[str, Any]:
    """Move a customer and its records to ``to_rm``'s book.

    Returns:
        ``{customer_id, from_rm, to_rm, records, rev}``: how many records moved and the last
        rev stamped.

    Raises:
        ProblemError: 404 for an unknown or deleted customer, 422 when ``to_rm`` is not an RM.
    """
    with database.write() as conn:
        target = conn.execute(
            select(app_user.c.role, app_user.c.team_id).where(app_user.c.id == to_rm)
        ).first()
        if target is None or target.role != Role.RM.value:
            raise _invalid({"to_rm": "not an RM of this bank"})
        customer = load_record(conn, Entity.CUSTOMER.value, customer_id)
        if customer is None or customer.deleted:
            raise ProblemError(404, Code.NOT_FOUND, "There is no such customer.")
        old_book = (customer.rm_id, customer.team_id)
        new_book: tuple[str | None, str | None] = (to_rm, target.team_id)
        if old_book == new_book:
            return _moved(customer_id, customer.rm_id, to_rm, 0, customer.rev)
        children = _children(conn, customer_id)
        first = take_revs(conn, len(children) + 2)
        write_scope_exit(
            conn,
            rev=first,
            entity=Entity.CUSTOMER.value,
            record_id=customer_id,
            old_book=old_book,
            new_book=new_book,
        )
        apply_fields(customer, {"primary_rm_id": to_rm}, first + 1)
        customer.rev = first + 1
        customer.rm_id, customer.team_id = new_book
        save_record(conn, customer)
        if children:
            # The feed entry holds the rev, so each child's is written again with its new one.
            conn.execute(
                update(record)
                .where(record.c.entity == bindparam("e"), record.c.id == bindparam("i"))
                .values(
                    rev=bindparam("r"), rm_id=to_rm, team_id=target.team_id, change=bindparam("c")
                ),
                [
                    {
                        "e": entity,
                        "i": child_id,
                        "r": rev,
                        "c": feed_entry(entity, child_id, rev, deleted, data.encode()),
                    }
                    for rev, (entity, child_id, deleted, data) in enumerate(children, first + 2)
                ],
            )
        last = first + 1 + len(children)
    return _moved(customer_id, old_book[0], to_rm, len(children) + 1, last)


def _children(conn: Connection, customer_id: str) -> list[tuple[str, str, bool, str]]:
    """``(entity, id, deleted, data)`` of the customer's records, in rev order."""
    rows = conn.execute(
        select(record.c.entity, record.c.id, record.c.deleted, record.c.data)
        .where(
            record.c.customer_id == customer_id,
            or_(record.c.entity != Entity.CUSTOMER.value, record.c.id != customer_id),
        )
        .order_by(record.c.rev)
    ).tuples()
    return [(entity, child_id, bool(deleted), data) for entity, child_id, deleted, data in rows]


def _moved(
    customer_id: str, from_rm: str | None, to_rm: str, count: int, rev: int
) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "from_rm": from_rm,
        "to_rm": to_rm,
        "records": count,
        "rev": rev,
    }


def _entity(name: str) -> Entity:
    try:
        return Entity(name)
    except ValueError:
        raise _invalid({"entity": "unknown entity"}) from None


def _invalid(field_errors: dict[str, str]) -> ProblemError:
    return ProblemError(
        422,
        Code.VALIDATION_ERROR,
        "The change does not fit the record.",
        extra={"field_errors": field_errors},
    )

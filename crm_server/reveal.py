"""Reveal of one masked value, ``POST /customers/{id}/reveal`` (API.md §4).

Checks, in order; every outcome is written to the server's audit trail with the reason given,
in the same transaction as the answer's lookup (a value is never answered unaudited):

1. the user holds ``pii.reveal``: else ``403 forbidden``;
2. the customer exists and is in the user's book: else ``404 not_found``;
3. for ``account_number``, ``account_id`` names an account of that customer: else ``422`` (not
   given) or ``404``;
4. a full value is on file: else ``404 not_found``.

The audit entry holds the field and the record, never the value.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from crm_server.audit_log import record_event
from crm_server.database import Database
from crm_server.problems import Code, ProblemError
from crm_server.record_store import load_record
from crm_server.schema import pii
from crm_server.scope import Principal
from crm_server.settings import Settings
from rm_desk.domain.enums import Entity

REVEAL_PERMISSION = "pii.reveal"


class Reveals:
    """Answers reveal requests (see the module docstring).

    Args:
        database: Records, full values and the audit trail.
        settings: The clock.
    """

    def __init__(self, database: Database, settings: Settings) -> None:
        self.db = database
        self.settings = settings

    def reveal(
        self,
        principal: Principal,
        customer_id: str,
        field: str,
        reason: str,
        account_id: str | None,
    ) -> dict[str, Any]:
        """Return ``{customer_id, field, record_id, value}`` for one masked field.

        Raises:
            ProblemError: 403, 404 or 422 as listed in the module docstring.
        """
        now = self.settings.clock()
        with self.db.write() as conn:

            def audit(outcome: str, record_id: str | None = customer_id) -> None:
                record_event(
                    conn,
                    now=now,
                    action="reveal",
                    outcome=outcome,
                    user_id=principal.user_id,
                    device_id=principal.device_id,
                    entity=Entity.ACCOUNT.value if field == "account_number" else "customer",
                    record_id=record_id,
                    field=field,
                    reason=reason.strip(),
                )

            failure = self._check(conn, principal, customer_id, field, account_id)
            record_id = account_id if field == "account_number" else customer_id
            value = None
            if failure is None:
                value = conn.execute(
                    select(pii.c.value).where(
                        pii.c.record_id == record_id,
                        pii.c.field == field,
                        pii.c.customer_id == customer_id,
                    )
                ).scalar()
                if value is None:
                    failure = ProblemError(
                        404, Code.NOT_FOUND, "No full value of this field is on file."
                    )
            audit("ok" if failure is None else failure.code.value, record_id)
        if failure is not None:
            raise failure
        assert record_id is not None
        return {"customer_id": customer_id, "field": field, "record_id": record_id, "value": value}

    @staticmethod
    def _check(
        conn: Connection,
        principal: Principal,
        customer_id: str,
        field: str,
        account_id: str | None,
    ) -> ProblemError | None:
        if REVEAL_PERMISSION not in principal.permissions:
            return ProblemError(403, Code.FORBIDDEN, "Revealing personal data needs pii.reveal.")
        customer = load_record(conn, Entity.CUSTOMER.value, customer_id)
        if (
            customer is None
            or customer.deleted
            or not principal.may_see(customer.rm_id, customer.team_id)
        ):
            return ProblemError(404, Code.NOT_FOUND, "There is no such customer in your book.")
        if field != "account_number":
            return None
        if account_id is None:
            return ProblemError(
                422,
                Code.VALIDATION_ERROR,
                "Revealing an account number needs the account's id.",
                extra={"field_errors": {"account_id": "is required for account_number"}},
            )
        account = load_record(conn, Entity.ACCOUNT.value, account_id)
        if account is None or account.deleted or account.customer_id != customer_id:
            return ProblemError(404, Code.NOT_FOUND, "This customer has no such account.")
        return None

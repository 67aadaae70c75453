"""Export of the customer list to CSV: the whole filtered list, watermarked and audited.

:func:`export_customers` runs off the GUI thread (``bench.runner.submit``). It walks every
customer matching the list's filters in the list's order, a keyset page at a time, and writes:

1. the watermark line (``user · device · time``, :func:`~rm_desk.views.watermark.watermark_line`),
   so a file found on a USB stick says who exported it, from where and when;
2. a header row, in the user's language;
3. one row per customer, with the values as the cache holds them: mobiles masked, nothing
   revealed. Amounts are plain yuan and days ISO dates, so Excel sorts and sums them.

The file is UTF-8 with a byte-order mark, which Excel in China needs to read Chinese text. It is
written next to its target and moved into place inside the same cache transaction that appends
the ``export_csv`` audit event (row count, filter and sort, never the data): a file that exists
was audited, and a failed write leaves neither file nor event.

Cells that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``) get a
leading apostrophe: tag names are typed by people.

Errors::

    RmDeskError
    └── ExportFailed     the file could not be written (folder missing, no permission, disk full)
"""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from PySide6.QtCore import QT_TRANSLATE_NOOP

from rm_desk.errors import RmDeskError
from rm_desk.local_store.audit import append_audit
from rm_desk.local_store.customer_list import matching_customers, tags_of
from rm_desk.local_store.engine import Store
from rm_desk.local_store.queries import CustomerFilter, CustomerListRow, CustomerSort, utc_text
from rm_desk.local_store.saved_filters import filter_to_json
from rm_desk.views.customer_table import Column, local_day
from rm_desk.views.watermark import watermark_line

EXPORT_ACTION: Final = "export_csv"
"""The audit event's action."""

EXPORT_FAILED_TITLE: Final = str(QT_TRANSLATE_NOOP("errors", "Export failed"))
EXPORT_FAILED_MESSAGE: Final = str(
    QT_TRANSLATE_NOOP(
        "errors",
        "The file could not be written. Check that the folder exists and that you may write to "
        "it, then try again.",
    )
)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportFailed(RmDeskError):
    title = EXPORT_FAILED_TITLE


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What to export and how to label it; built on the GUI thread (translations), run off it.

    Attributes:
        path: The file to write (replaced if it exists).
        filters: The list's filter.
        sort: The list's order.
        descending: Whether the order is descending.
        columns: The columns, as the list shows them.
        headers: The header text of each column (translated).
        tier_labels: Tier code → label (translated).
        risk_labels: Risk level code → label (translated).
        rm_names: Employee id → name (the RM column).
        user_id: Who exports (watermark, audit).
        device_id: This installation (watermark, audit).
        now: The time of the export (watermark, audit).
    """

    path: Path
    filters: CustomerFilter
    sort: CustomerSort
    descending: bool
    columns: tuple[Column, ...]
    headers: tuple[str, ...]
    tier_labels: Mapping[str, str]
    risk_labels: Mapping[str, str]
    rm_names: Mapping[str, str]
    user_id: str
    device_id: str
    now: datetime


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    rows: int


def safe_cell(text: str) -> str:
    """A cell text a spreadsheet shows as text, never runs as a formula."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _cells(request: ExportRequest, row: CustomerListRow, tags: Sequence[str]) -> list[str]:
    review, last = local_day(row.next_review_at), local_day(row.last_contact_at)
    values = {
        Column.NAME: safe_cell(row.name),
        Column.TIER: safe_cell(request.tier_labels.get(row.tier, row.tier)),
        Column.RISK: safe_cell(request.risk_labels.get(row.risk_level or "", row.risk_level or "")),
        # Numbers and dates are written by this module, never typed text: left as they are so a
        # spreadsheet reads them as numbers and dates.
        Column.AUM: "" if row.aum is None else f"{row.aum:.2f}",
        Column.MOBILE: safe_cell(row.mobile_masked or ""),
        Column.RM: safe_cell(
            request.rm_names.get(row.primary_rm_id or "", row.primary_rm_id or "")
        ),
        Column.LAST_CONTACT: last.isoformat() if last else "",
        Column.NEXT_REVIEW: review.isoformat() if review else "",
        Column.TAGS: safe_cell("; ".join(tags)),
    }
    return [values[column] for column in request.columns]


def export_customers(store: Store, request: ExportRequest) -> ExportResult:
    """Write the CSV of every customer matching the request, then audit it (see module docs).

    Raises:
        ExportFailed: the file could not be written or moved into place.
        StoreError: the cache could not be read or the audit event not appended.
    """
    partial = request.path.with_name(f"{request.path.name}.part")
    count = 0
    moved = False
    try:
        try:
            with (
                partial.open("w", encoding="utf-8-sig", newline="") as handle,
                store.read() as conn,
            ):
                writer = csv.writer(handle)
                writer.writerow([watermark_line(request.user_id, request.device_id, request.now)])
                writer.writerow(request.headers)
                for page in matching_customers(
                    conn, filters=request.filters, sort=request.sort, descending=request.descending
                ):
                    tags = tags_of(conn, [row.id for row in page])
                    writer.writerows(_cells(request, row, tags.get(row.id, ())) for row in page)
                    count += len(page)
        except OSError as error:
            raise ExportFailed(EXPORT_FAILED_MESSAGE) from error
        with store.write() as conn:
            append_audit(
                conn,
                ts=utc_text(request.now),
                action=EXPORT_ACTION,
                user_id=request.user_id,
                device_id=request.device_id,
                entity="customer",
                detail={
                    "rows": count,
                    "filter": filter_to_json(request.filters),
                    "sort": request.sort.value,
                    "descending": request.descending,
                    "columns": [column.value for column in request.columns],
                },
            )
            # Moved into place inside the audit's transaction: if the move fails, the event is
            # rolled back; if the commit fails after the move, the file is removed below.
            try:
                os.replace(partial, request.path)
            except OSError as error:
                raise ExportFailed(EXPORT_FAILED_MESSAGE) from error
            moved = True
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
            if moved:
                request.path.unlink(missing_ok=True)
        raise
    return ExportResult(request.path, count)


__all__ = ["EXPORT_ACTION", "ExportFailed", "ExportRequest", "ExportResult", "export_customers"]

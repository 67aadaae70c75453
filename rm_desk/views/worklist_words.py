"""Words for the codes of the worklist: alert rules, task buckets, and the records, fields and
states of a change on its way to the bank.

The cache holds codes (``A04``, ``high``, ``queued``); people read these words, in their language.
The sources are marked with ``QT_TRANSLATE_NOOP`` so lupdate finds them under the context
``"WorklistWords"``; each function translates at call time, so a language switch shows at the next
refresh; an unknown code reads as itself rather than failing. Codes the 360 view shows
too (priorities, task statuses, account types, visit channels …) have their words in
:mod:`rm_desk.views.customer360.labels`, once for the whole window.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from rm_desk.domain.enums import OpKind, OpState, TaskBucket

CONTEXT = "WorklistWords"


def _tr(source: object) -> str:
    """A source marked with ``QT_TRANSLATE_NOOP`` (so lupdate finds it), translated now."""
    return QCoreApplication.translate(CONTEXT, str(source))


def rule_name(rule_id: str) -> str:
    """The name of an alert rule of DOMAIN.md (``A04`` → "Maturity renewal")."""
    names = {
        "A01": QT_TRANSLATE_NOOP("WorklistWords", "Tier retention"),
        "A02": QT_TRANSLATE_NOOP("WorklistWords", "Upgrade opportunity"),
        "A03": QT_TRANSLATE_NOOP("WorklistWords", "Repayment shortfall"),
        "A04": QT_TRANSLATE_NOOP("WorklistWords", "Maturity renewal"),
        "A05": QT_TRANSLATE_NOOP("WorklistWords", "Large outflow"),
        "A06": QT_TRANSLATE_NOOP("WorklistWords", "Dormancy and churn"),
        "A07": QT_TRANSLATE_NOOP("WorklistWords", "Birthday care"),
        "A08": QT_TRANSLATE_NOOP("WorklistWords", "Risk assessment expiring"),
        "A09": QT_TRANSLATE_NOOP("WorklistWords", "ID document expiring"),
        "A10": QT_TRANSLATE_NOOP("WorklistWords", "Unsuitable holding"),
        "A11": QT_TRANSLATE_NOOP("WorklistWords", "Regular review due"),
        "A12": QT_TRANSLATE_NOOP("WorklistWords", "Task past its deadline"),
    }
    source = names.get(rule_id)
    return _tr(source) if source is not None else rule_id


def bucket_label(bucket: TaskBucket) -> str:
    names = {
        TaskBucket.OVERDUE: QT_TRANSLATE_NOOP("WorklistWords", "Overdue"),
        TaskBucket.TODAY: QT_TRANSLATE_NOOP("WorklistWords", "Due today"),
        TaskBucket.LATER: QT_TRANSLATE_NOOP("WorklistWords", "Later"),
    }
    return _tr(names[bucket])


def entity_label(entity: str) -> str:
    """The kind of record a change or a conflict is about."""
    names = {
        "customer": QT_TRANSLATE_NOOP("WorklistWords", "Customer profile"),
        "visit": QT_TRANSLATE_NOOP("WorklistWords", "Visit"),
        "task": QT_TRANSLATE_NOOP("WorklistWords", "Task"),
        "opportunity": QT_TRANSLATE_NOOP("WorklistWords", "Opportunity"),
        "alert": QT_TRANSLATE_NOOP("WorklistWords", "Alert"),
        "customer_tag": QT_TRANSLATE_NOOP("WorklistWords", "Tag"),
        "relationship": QT_TRANSLATE_NOOP("WorklistWords", "Relationship"),
    }
    source = names.get(entity)
    return _tr(source) if source is not None else entity


def field_label(field: str | None) -> str:
    """A field the RM writes, as a form labels it (``soft_profile.remarks`` → "Remarks")."""
    names = {
        "*": QT_TRANSLATE_NOOP("WorklistWords", "The whole record"),
        "status": QT_TRANSLATE_NOOP("WorklistWords", "Status"),
        "completion_note": QT_TRANSLATE_NOOP("WorklistWords", "Completion note"),
        "due_at": QT_TRANSLATE_NOOP("WorklistWords", "Due"),
        "priority": QT_TRANSLATE_NOOP("WorklistWords", "Priority"),
        "assignee_id": QT_TRANSLATE_NOOP("WorklistWords", "Assignee"),
        "title": QT_TRANSLATE_NOOP("WorklistWords", "Title"),
        "stage": QT_TRANSLATE_NOOP("WorklistWords", "Stage"),
        "amount": QT_TRANSLATE_NOOP("WorklistWords", "Amount"),
        "expected_close": QT_TRANSLATE_NOOP("WorklistWords", "Expected close"),
        "lost_reason": QT_TRANSLATE_NOOP("WorklistWords", "Reason lost"),
        "product_id": QT_TRANSLATE_NOOP("WorklistWords", "Product"),
        "category": QT_TRANSLATE_NOOP("WorklistWords", "Category"),
        "notes": QT_TRANSLATE_NOOP("WorklistWords", "Notes"),
        "outcome": QT_TRANSLATE_NOOP("WorklistWords", "Outcome"),
        "next_steps": QT_TRANSLATE_NOOP("WorklistWords", "Next steps"),
        "purpose": QT_TRANSLATE_NOOP("WorklistWords", "Purpose"),
        "channel": QT_TRANSLATE_NOOP("WorklistWords", "Channel"),
        "start_at": QT_TRANSLATE_NOOP("WorklistWords", "Start"),
        "end_at": QT_TRANSLATE_NOOP("WorklistWords", "End"),
        "location_text": QT_TRANSLATE_NOOP("WorklistWords", "Location"),
        "customer_ids": QT_TRANSLATE_NOOP("WorklistWords", "Customers"),
        "contact_prefs": QT_TRANSLATE_NOOP("WorklistWords", "Contact preferences"),
        "soft_profile": QT_TRANSLATE_NOOP("WorklistWords", "Soft profile"),
        "soft_profile.interests": QT_TRANSLATE_NOOP("WorklistWords", "Interests"),
        "soft_profile.family_notes": QT_TRANSLATE_NOOP("WorklistWords", "Family notes"),
        "soft_profile.remarks": QT_TRANSLATE_NOOP("WorklistWords", "Remarks"),
        "soft_profile.do_not_disturb": QT_TRANSLATE_NOOP("WorklistWords", "Do not disturb"),
    }
    source = names.get(field if field is not None else "*")
    return _tr(source) if source is not None else str(field)


def op_label(op: OpKind) -> str:
    names = {
        OpKind.CREATE: QT_TRANSLATE_NOOP("WorklistWords", "New"),
        OpKind.UPDATE: QT_TRANSLATE_NOOP("WorklistWords", "Edited"),
        OpKind.DELETE: QT_TRANSLATE_NOOP("WorklistWords", "Deleted"),
    }
    return _tr(names[op])


def op_state_label(state: OpState) -> str:
    """Where a change is on its way to the bank."""
    names = {
        OpState.QUEUED: QT_TRANSLATE_NOOP("WorklistWords", "Waiting to send"),
        OpState.SENDING: QT_TRANSLATE_NOOP("WorklistWords", "Sending"),
        OpState.HELD: QT_TRANSLATE_NOOP("WorklistWords", "Held until an earlier change is sent"),
        OpState.CONFLICT: QT_TRANSLATE_NOOP("WorklistWords", "Waiting for your decision"),
        OpState.REJECTED: QT_TRANSLATE_NOOP("WorklistWords", "Refused by the bank"),
        OpState.APPLIED: QT_TRANSLATE_NOOP("WorklistWords", "Saved at the bank"),
    }
    return _tr(names[state])


__all__ = [
    "CONTEXT",
    "bucket_label",
    "entity_label",
    "field_label",
    "op_label",
    "op_state_label",
    "rule_name",
]

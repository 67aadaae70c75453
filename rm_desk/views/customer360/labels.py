"""Words for the codes the 360 view shows (tiers, account types, stages …), translated.

The sources are marked with ``QT_TRANSLATE_NOOP`` so lupdate finds them under the context
``"CustomerLabels"``; :func:`label` translates at call time, so a language switch takes effect on
the next refresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from rm_desk.domain.enums import (
    AccountStatus,
    AccountType,
    AlertStatus,
    Channel,
    HouseholdRole,
    OpportunityStage,
    ProductCategory,
    RelationshipKind,
    RelationshipStatus,
    TaskPriority,
    TaskStatus,
    Tier,
    TxnType,
    VisitChannel,
    VisitOutcome,
    VisitPurpose,
)
from rm_desk.domain.suitability import SuitabilityCheck, SuitabilityFlag

CONTEXT = "CustomerLabels"

_PAIRS: tuple[tuple[StrEnum, str], ...] = (
    (Tier.STANDARD, QT_TRANSLATE_NOOP("CustomerLabels", "Standard")),
    (Tier.GOLD, QT_TRANSLATE_NOOP("CustomerLabels", "Gold")),
    (Tier.PLATINUM, QT_TRANSLATE_NOOP("CustomerLabels", "Platinum")),
    (Tier.DIAMOND, QT_TRANSLATE_NOOP("CustomerLabels", "Diamond")),
    (Tier.PRIVATE, QT_TRANSLATE_NOOP("CustomerLabels", "Private banking")),
    (AccountType.CURRENT, QT_TRANSLATE_NOOP("CustomerLabels", "Current")),
    (AccountType.TIME_DEPOSIT, QT_TRANSLATE_NOOP("CustomerLabels", "Time deposit")),
    (AccountType.WEALTH, QT_TRANSLATE_NOOP("CustomerLabels", "Wealth management")),
    (AccountType.FUND, QT_TRANSLATE_NOOP("CustomerLabels", "Fund")),
    (AccountType.INSURANCE, QT_TRANSLATE_NOOP("CustomerLabels", "Insurance")),
    (AccountType.LOAN, QT_TRANSLATE_NOOP("CustomerLabels", "Loan")),
    (AccountType.CREDIT_CARD, QT_TRANSLATE_NOOP("CustomerLabels", "Credit card")),
    (AccountStatus.ACTIVE, QT_TRANSLATE_NOOP("CustomerLabels", "Active")),
    (AccountStatus.DORMANT, QT_TRANSLATE_NOOP("CustomerLabels", "Dormant")),
    (AccountStatus.FROZEN, QT_TRANSLATE_NOOP("CustomerLabels", "Frozen")),
    (AccountStatus.CLOSED, QT_TRANSLATE_NOOP("CustomerLabels", "Closed")),
    (ProductCategory.DEPOSIT, QT_TRANSLATE_NOOP("CustomerLabels", "Deposits")),
    (ProductCategory.WEALTH, QT_TRANSLATE_NOOP("CustomerLabels", "Wealth management")),
    (ProductCategory.FUND, QT_TRANSLATE_NOOP("CustomerLabels", "Funds")),
    (ProductCategory.INSURANCE, QT_TRANSLATE_NOOP("CustomerLabels", "Insurance")),
    (ProductCategory.BOND, QT_TRANSLATE_NOOP("CustomerLabels", "Government bonds")),
    (ProductCategory.PRECIOUS_METAL, QT_TRANSLATE_NOOP("CustomerLabels", "Precious metals")),
    (ProductCategory.LOAN, QT_TRANSLATE_NOOP("CustomerLabels", "Loans")),
    (TxnType.TRANSFER, QT_TRANSLATE_NOOP("CustomerLabels", "Transfer")),
    (TxnType.CASH, QT_TRANSLATE_NOOP("CustomerLabels", "Cash")),
    (TxnType.SUBSCRIBE, QT_TRANSLATE_NOOP("CustomerLabels", "Subscription")),
    (TxnType.REDEEM, QT_TRANSLATE_NOOP("CustomerLabels", "Redemption")),
    (TxnType.MATURITY, QT_TRANSLATE_NOOP("CustomerLabels", "Maturity")),
    (TxnType.REPAYMENT, QT_TRANSLATE_NOOP("CustomerLabels", "Repayment")),
    (Channel.COUNTER, QT_TRANSLATE_NOOP("CustomerLabels", "Counter")),
    (Channel.MOBILE, QT_TRANSLATE_NOOP("CustomerLabels", "Mobile banking")),
    (Channel.ONLINE, QT_TRANSLATE_NOOP("CustomerLabels", "Online banking")),
    (Channel.ATM, QT_TRANSLATE_NOOP("CustomerLabels", "ATM")),
    (Channel.OTHER, QT_TRANSLATE_NOOP("CustomerLabels", "Other")),
    (HouseholdRole.HEAD, QT_TRANSLATE_NOOP("CustomerLabels", "Head of household")),
    (HouseholdRole.SPOUSE, QT_TRANSLATE_NOOP("CustomerLabels", "Spouse")),
    (HouseholdRole.CHILD, QT_TRANSLATE_NOOP("CustomerLabels", "Child")),
    (HouseholdRole.PARENT, QT_TRANSLATE_NOOP("CustomerLabels", "Parent")),
    (HouseholdRole.OTHER, QT_TRANSLATE_NOOP("CustomerLabels", "Other")),
    (RelationshipKind.SPOUSE, QT_TRANSLATE_NOOP("CustomerLabels", "Spouse")),
    (RelationshipKind.PARENT, QT_TRANSLATE_NOOP("CustomerLabels", "Parent of")),
    (RelationshipKind.CHILD, QT_TRANSLATE_NOOP("CustomerLabels", "Child of")),
    (
        RelationshipKind.LEGAL_REPRESENTATIVE,
        QT_TRANSLATE_NOOP("CustomerLabels", "Legal representative"),
    ),
    (RelationshipKind.CONTROLLER, QT_TRANSLATE_NOOP("CustomerLabels", "Actual controller")),
    (RelationshipKind.REFERRER, QT_TRANSLATE_NOOP("CustomerLabels", "Referrer")),
    (RelationshipKind.OTHER, QT_TRANSLATE_NOOP("CustomerLabels", "Other")),
    (RelationshipStatus.VERIFIED, QT_TRANSLATE_NOOP("CustomerLabels", "Verified by the bank")),
    (RelationshipStatus.PROPOSED, QT_TRANSLATE_NOOP("CustomerLabels", "Proposed")),
    (VisitChannel.ONSITE, QT_TRANSLATE_NOOP("CustomerLabels", "On-site visit")),
    (VisitChannel.BRANCH, QT_TRANSLATE_NOOP("CustomerLabels", "Branch visit")),
    (VisitChannel.PHONE, QT_TRANSLATE_NOOP("CustomerLabels", "Phone call")),
    (VisitChannel.WECHAT, QT_TRANSLATE_NOOP("CustomerLabels", "WeChat")),
    (VisitChannel.VIDEO, QT_TRANSLATE_NOOP("CustomerLabels", "Video call")),
    (VisitChannel.EVENT, QT_TRANSLATE_NOOP("CustomerLabels", "Event")),
    (VisitPurpose.RENEWAL, QT_TRANSLATE_NOOP("CustomerLabels", "Maturity renewal")),
    (VisitPurpose.PORTFOLIO_REVIEW, QT_TRANSLATE_NOOP("CustomerLabels", "Portfolio review")),
    (VisitPurpose.CARE, QT_TRANSLATE_NOOP("CustomerLabels", "Customer care")),
    (VisitPurpose.PRODUCT_PITCH, QT_TRANSLATE_NOOP("CustomerLabels", "Product recommendation")),
    (VisitPurpose.COMPLAINT, QT_TRANSLATE_NOOP("CustomerLabels", "Complaint handling")),
    (VisitPurpose.POST_LOAN_CHECK, QT_TRANSLATE_NOOP("CustomerLabels", "Post-loan check")),
    (VisitPurpose.CREDIT_RENEWAL, QT_TRANSLATE_NOOP("CustomerLabels", "Credit renewal")),
    (VisitOutcome.POSITIVE, QT_TRANSLATE_NOOP("CustomerLabels", "Positive")),
    (VisitOutcome.NEUTRAL, QT_TRANSLATE_NOOP("CustomerLabels", "Neutral")),
    (VisitOutcome.NEGATIVE, QT_TRANSLATE_NOOP("CustomerLabels", "Negative")),
    (VisitOutcome.FOLLOW_UP, QT_TRANSLATE_NOOP("CustomerLabels", "Follow-up needed")),
    (TaskPriority.LOW, QT_TRANSLATE_NOOP("CustomerLabels", "Low")),
    (TaskPriority.NORMAL, QT_TRANSLATE_NOOP("CustomerLabels", "Normal")),
    (TaskPriority.HIGH, QT_TRANSLATE_NOOP("CustomerLabels", "High")),
    (TaskPriority.URGENT, QT_TRANSLATE_NOOP("CustomerLabels", "Urgent")),
    (TaskStatus.NOT_STARTED, QT_TRANSLATE_NOOP("CustomerLabels", "Not started")),
    (TaskStatus.IN_PROGRESS, QT_TRANSLATE_NOOP("CustomerLabels", "In progress")),
    (TaskStatus.COMPLETED, QT_TRANSLATE_NOOP("CustomerLabels", "Completed")),
    (TaskStatus.CANCELLED, QT_TRANSLATE_NOOP("CustomerLabels", "Cancelled")),
    (OpportunityStage.LEAD, QT_TRANSLATE_NOOP("CustomerLabels", "Lead")),
    (OpportunityStage.CONTACTED, QT_TRANSLATE_NOOP("CustomerLabels", "Contacted")),
    (OpportunityStage.NEEDS_CONFIRMED, QT_TRANSLATE_NOOP("CustomerLabels", "Needs confirmed")),
    (OpportunityStage.RECOMMENDED, QT_TRANSLATE_NOOP("CustomerLabels", "Recommended")),
    (OpportunityStage.CLOSING, QT_TRANSLATE_NOOP("CustomerLabels", "Closing")),
    (OpportunityStage.WON, QT_TRANSLATE_NOOP("CustomerLabels", "Won")),
    (OpportunityStage.LOST, QT_TRANSLATE_NOOP("CustomerLabels", "Lost")),
    (AlertStatus.NEW, QT_TRANSLATE_NOOP("CustomerLabels", "New")),
    (AlertStatus.ACKNOWLEDGED, QT_TRANSLATE_NOOP("CustomerLabels", "Acknowledged")),
    (AlertStatus.CONVERTED, QT_TRANSLATE_NOOP("CustomerLabels", "Converted to a task")),
    (AlertStatus.DISMISSED, QT_TRANSLATE_NOOP("CustomerLabels", "Dismissed")),
    (SuitabilityCheck.NOT_ASSESSED, QT_TRANSLATE_NOOP("CustomerLabels", "Risk assessment missing")),
    (
        SuitabilityCheck.ASSESSMENT_EXPIRED,
        QT_TRANSLATE_NOOP("CustomerLabels", "Risk assessment expired"),
    ),
    (
        SuitabilityCheck.PRODUCT_ABOVE_LEVEL,
        QT_TRANSLATE_NOOP("CustomerLabels", "Product risk above the customer's level"),
    ),
    (
        SuitabilityCheck.QUALIFIED_ONLY,
        QT_TRANSLATE_NOOP("CustomerLabels", "For qualified investors only"),
    ),
    (SuitabilityFlag.AGE_65_PLUS, QT_TRANSLATE_NOOP("CustomerLabels", "Customer aged 65+")),
    (
        SuitabilityFlag.DUAL_RECORDING,
        QT_TRANSLATE_NOOP("CustomerLabels", "Dual recording needed in branch"),
    ),
    (
        SuitabilityFlag.FIRST_PURCHASE,
        QT_TRANSLATE_NOOP(
            "CustomerLabels", "First purchase of this category: in-branch assessment"
        ),
    ),
)
# Keyed by enum type too: StrEnum members of different enums with one spelling ("child",
# "fund") are equal and hash alike, yet read differently.
_SOURCES: Mapping[tuple[type[StrEnum], str], str] = MappingProxyType(
    {(type(code), code.value): source for code, source in _PAIRS}
)


def label(code: StrEnum | None) -> str:
    """The translated word for a code; the code itself when none is defined, ``—`` for None."""
    if code is None:
        return "—"
    source = _SOURCES.get((type(code), code.value))
    if source is None:
        return str(code.value)
    return QCoreApplication.translate(CONTEXT, source)


def label_of(kind: type[StrEnum], code: str | None) -> str:
    """:func:`label` for a stored code string (e.g. a snapshot's reason), tolerant of unknowns."""
    if code is None:
        return "—"
    try:
        return label(kind(code))
    except ValueError:
        return code


__all__ = ["CONTEXT", "label", "label_of"]

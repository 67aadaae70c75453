"""Suitability (适当性): whether a customer may buy a product, as DOMAIN.md defines it.

A hard filter with no override in this app: a product that fails any blocking check is shown
greyed with the reason, and an opportunity stores the result as its ``suitability_snapshot``
(:meth:`Suitability.snapshot`, the same shape the bank's server writes). Flags are shown but never
block.

Pure: the customer, the product, the day and what the customer already holds go in; a frozen
:class:`Suitability` comes out. No I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from rm_desk.domain.entities import Customer, Product
from rm_desk.domain.enums import CustomerRiskLevel, ProductCategory, ProductRiskLevel

ASSESSMENT_VALID_DAYS = 365
"""A risk assessment older than this many days no longer counts."""

SENIOR_AGE = 65
"""From this age the sale is flagged (enhanced care for elderly customers)."""

PROFESSIONAL_CLASS = "professional"
"""``Customer.investor_class`` of professional investors, who may buy any risk level."""


class SuitabilityCheck(StrEnum):
    """A blocking check that failed; the codes are those of the stored snapshot."""

    NOT_ASSESSED = "not_assessed"
    ASSESSMENT_EXPIRED = "assessment_expired"
    PRODUCT_ABOVE_LEVEL = "product_above_level"
    QUALIFIED_ONLY = "qualified_only"


class SuitabilityFlag(StrEnum):
    """Something to point out to the RM that does not block the sale."""

    AGE_65_PLUS = "age_65_plus"
    DUAL_RECORDING = "dual_recording"  # 需双录 for branch sales
    FIRST_PURCHASE = "first_purchase"  # first purchase of the category: in-branch assessment


@dataclass(frozen=True, slots=True)
class Suitability:
    """The outcome of :func:`check_suitability`.

    Attributes:
        customer_level: The customer's risk level, ``None`` when never assessed.
        product_level: The product's risk level.
        assessed_on: The day of the customer's assessment, if any.
        checked_on: The day the check was made for.
        failed: The blocking checks that failed, in the order they are made.
        flags: The non-blocking flags, in the order they are made.
    """

    customer_level: CustomerRiskLevel | None
    product_level: ProductRiskLevel
    assessed_on: date | None
    checked_on: date
    failed: tuple[SuitabilityCheck, ...]
    flags: tuple[SuitabilityFlag, ...]

    @property
    def suitable(self) -> bool:
        return not self.failed

    def snapshot(self) -> dict[str, Any]:
        """The JSON object an opportunity stores (customer level, product level, dates, result)."""
        return {
            "customer_level": None if self.customer_level is None else self.customer_level.value,
            "product_level": self.product_level.value,
            "assessed_on": None if self.assessed_on is None else self.assessed_on.isoformat(),
            "checked_on": self.checked_on.isoformat(),
            "result": "suitable" if self.suitable else "blocked",
            "reasons": [check.value for check in self.failed],
            "flags": [flag.value for flag in self.flags],
        }


def assessment_expires_on(assessed_on: date) -> date:
    """The last day on which an assessment made on ``assessed_on`` still counts."""
    return assessed_on + timedelta(days=ASSESSMENT_VALID_DAYS)


def assessment_expired(assessed_on: date | None, today: date) -> bool:
    """Whether an assessment is missing or older than :data:`ASSESSMENT_VALID_DAYS` on ``today``."""
    return assessed_on is None or today > assessment_expires_on(assessed_on)


def age_on(birth_date: date, today: date) -> int:
    """Age in whole years on ``today``."""
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)


def check_suitability(
    customer: Customer,
    product: Product,
    today: date,
    *,
    held_categories: Collection[ProductCategory] = (),
) -> Suitability:
    """Check whether ``customer`` may buy ``product`` on ``today``.

    Blocking checks, in order (every failing one is listed in ``failed``):

    1. ``not_assessed``: no risk level or no assessment date; checks 2 and 3 need both, so they
       are skipped;
    2. ``assessment_expired``: the assessment is more than 365 days old on ``today``;
    3. ``product_above_level``: the product's R level is above the customer's C level; professional
       investors (``investor_class == "professional"``) may buy any level, except a customer in the
       lowest category (``risk_is_lowest``), who may buy R1 only whatever else holds;
    4. ``qualified_only``: the product is for qualified investors only and the customer is not one.

    Flags, in order (shown, never blocking):

    1. ``age_65_plus``: a retail customer aged 65 or more on ``today``;
    2. ``dual_recording``: the product requires dual recording (需双录) for branch sales;
    3. ``first_purchase``: the customer holds nothing of the product's category yet (deposits
       excepted), so the first purchase needs an in-branch assessment.

    Args:
        customer: The customer, as cached.
        product: The product considered (or held).
        today: The day to check for, in the bank's zone.
        held_categories: Categories of the products the customer already holds.

    Returns:
        The result, with the failed checks and flags in the order above.
    """
    failed: list[SuitabilityCheck] = []
    level, assessed_on = customer.risk_level, customer.risk_assessed_on
    if level is None or assessed_on is None:
        failed.append(SuitabilityCheck.NOT_ASSESSED)
    else:
        if assessment_expired(assessed_on, today):
            failed.append(SuitabilityCheck.ASSESSMENT_EXPIRED)
        if customer.risk_is_lowest:
            allowed = 1
        elif customer.investor_class == PROFESSIONAL_CLASS:
            allowed = 5
        else:
            allowed = level.level
        if product.risk_level.level > allowed:
            failed.append(SuitabilityCheck.PRODUCT_ABOVE_LEVEL)
    if product.qualified_investor_only and not customer.is_qualified_investor:
        failed.append(SuitabilityCheck.QUALIFIED_ONLY)

    flags: list[SuitabilityFlag] = []
    if (
        customer.birth_date is not None
        and not customer.is_corporate
        and age_on(customer.birth_date, today) >= SENIOR_AGE
    ):
        flags.append(SuitabilityFlag.AGE_65_PLUS)
    if product.requires_dual_recording:
        flags.append(SuitabilityFlag.DUAL_RECORDING)
    if product.category is not ProductCategory.DEPOSIT and product.category not in held_categories:
        flags.append(SuitabilityFlag.FIRST_PURCHASE)

    return Suitability(
        customer_level=level,
        product_level=product.risk_level,
        assessed_on=assessed_on,
        checked_on=today,
        failed=tuple(failed),
        flags=tuple(flags),
    )


__all__ = [
    "ASSESSMENT_VALID_DAYS",
    "PROFESSIONAL_CLASS",
    "SENIOR_AGE",
    "Suitability",
    "SuitabilityCheck",
    "SuitabilityFlag",
    "age_on",
    "assessment_expired",
    "assessment_expires_on",
    "check_suitability",
]

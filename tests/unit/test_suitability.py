"""Suitability as a table of cases: blocking checks and flags, in the documented order."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from rm_desk.domain.entities import Customer, Product
from rm_desk.domain.enums import (
    CustomerRiskLevel,
    LifecycleStage,
    ProductCategory,
    ProductRiskLevel,
    Tier,
)
from rm_desk.domain.suitability import (
    SuitabilityCheck as C,
)
from rm_desk.domain.suitability import (
    SuitabilityFlag as F,
)
from rm_desk.domain.suitability import (
    assessment_expired,
    assessment_expires_on,
    check_suitability,
)

TODAY = date(2026, 11, 20)

BASE_CUSTOMER = Customer(
    id="c-1",
    rev=1,
    name="张伟",
    tier=Tier.GOLD,
    aum=Decimal("100000.00"),
    aum_mtd_avg=Decimal("100000.00"),
    primary_rm_id="rm001",
    branch_id="b-01",
    lifecycle_stage=LifecycleStage.MATURE,
    birth_date=date(1980, 5, 1),
    risk_level=CustomerRiskLevel.C3,
    risk_assessed_on=date(2026, 6, 1),
    investor_class="ordinary",
)
BASE_PRODUCT = Product(
    id="p-1",
    rev=1,
    code="WM001",
    name="稳健理财",
    category=ProductCategory.WEALTH,
    risk_level=ProductRiskLevel.R3,
    on_sale=True,
)
HELD = (ProductCategory.WEALTH,)

CASES: list[tuple[str, dict[str, Any], dict[str, Any], tuple[C, ...], tuple[F, ...]]] = [
    ("same level is suitable", {}, {}, (), ()),
    ("product below level", {}, {"risk_level": ProductRiskLevel.R1}, (), ()),
    ("product one above", {}, {"risk_level": ProductRiskLevel.R4}, (C.PRODUCT_ABOVE_LEVEL,), ()),
    ("never assessed", {"risk_level": None, "risk_assessed_on": None}, {}, (C.NOT_ASSESSED,), ()),
    ("level without a date", {"risk_assessed_on": None}, {}, (C.NOT_ASSESSED,), ()),
    ("assessed exactly 365 days ago", {"risk_assessed_on": date(2025, 11, 20)}, {}, (), ()),
    (
        "assessed 366 days ago",
        {"risk_assessed_on": date(2025, 11, 19)},
        {},
        (C.ASSESSMENT_EXPIRED,),
        (),
    ),
    (
        "expired and above level, both listed in order",
        {"risk_assessed_on": date(2024, 1, 1)},
        {"risk_level": ProductRiskLevel.R5},
        (C.ASSESSMENT_EXPIRED, C.PRODUCT_ABOVE_LEVEL),
        (),
    ),
    (
        "C1 may buy R1 only",
        {"risk_level": CustomerRiskLevel.C1},
        {"risk_level": ProductRiskLevel.R2},
        (C.PRODUCT_ABOVE_LEVEL,),
        (),
    ),
    (
        "professional investor may buy above level",
        {"investor_class": "professional"},
        {"risk_level": ProductRiskLevel.R5},
        (),
        (),
    ),
    (
        "lowest category stays at R1 even when professional",
        {"investor_class": "professional", "risk_is_lowest": True},
        {"risk_level": ProductRiskLevel.R2},
        (C.PRODUCT_ABOVE_LEVEL,),
        (),
    ),
    ("qualified-only for others", {}, {"qualified_investor_only": True}, (C.QUALIFIED_ONLY,), ()),
    (
        "qualified-only for a qualified investor",
        {"is_qualified_investor": True},
        {"qualified_investor_only": True},
        (),
        (),
    ),
    (
        "every check fails at once, in order",
        {"risk_level": None, "risk_assessed_on": None},
        {"qualified_investor_only": True, "risk_level": ProductRiskLevel.R5},
        (C.NOT_ASSESSED, C.QUALIFIED_ONLY),
        (),
    ),
    ("65 today is flagged", {"birth_date": date(1961, 11, 20)}, {}, (), (F.AGE_65_PLUS,)),
    ("65 tomorrow is not", {"birth_date": date(1961, 11, 21)}, {}, (), ()),
    (
        "corporate customers have no age flag",
        {"birth_date": date(1950, 1, 1), "is_corporate": True},
        {},
        (),
        (),
    ),
    ("dual recording", {}, {"requires_dual_recording": True}, (), (F.DUAL_RECORDING,)),
    (
        "flags in order with a block",
        {"birth_date": date(1950, 1, 1)},
        {
            "requires_dual_recording": True,
            "category": ProductCategory.FUND,
            "risk_level": ProductRiskLevel.R4,
        },
        (C.PRODUCT_ABOVE_LEVEL,),
        (F.AGE_65_PLUS, F.DUAL_RECORDING, F.FIRST_PURCHASE),
    ),
]


@pytest.mark.parametrize(
    ("customer_changes", "product_changes", "failed", "flags"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_suitability_lists_failed_checks_and_flags_in_order(
    customer_changes: dict[str, Any],
    product_changes: dict[str, Any],
    failed: tuple[C, ...],
    flags: tuple[F, ...],
) -> None:
    customer = replace(BASE_CUSTOMER, **customer_changes)
    product = replace(BASE_PRODUCT, **product_changes)
    result = check_suitability(customer, product, TODAY, held_categories=HELD)
    assert result.failed == failed
    assert result.flags == flags
    assert result.suitable is (not failed)


@pytest.mark.parametrize(
    ("category", "held", "first"),
    [
        (ProductCategory.FUND, (), True),
        (ProductCategory.FUND, (ProductCategory.FUND,), False),
        (ProductCategory.DEPOSIT, (), False),
    ],
)
def test_first_purchase_of_a_category_is_flagged_except_deposits(
    category: ProductCategory, held: tuple[ProductCategory, ...], first: bool
) -> None:
    product = replace(BASE_PRODUCT, category=category)
    result = check_suitability(BASE_CUSTOMER, product, TODAY, held_categories=held)
    assert (F.FIRST_PURCHASE in result.flags) is first


def test_snapshot_has_the_shape_opportunities_store() -> None:
    customer = replace(BASE_CUSTOMER, risk_assessed_on=date(2025, 4, 24))
    result = check_suitability(customer, BASE_PRODUCT, TODAY, held_categories=())
    assert result.snapshot() == {
        "customer_level": "C3",
        "product_level": "R3",
        "assessed_on": "2025-04-24",
        "checked_on": "2026-11-20",
        "result": "blocked",
        "reasons": ["assessment_expired"],
        "flags": ["first_purchase"],
    }


def test_assessment_counts_through_its_365th_day() -> None:
    assessed = date(2025, 11, 20)
    assert assessment_expires_on(assessed) == date(2026, 11, 20)
    assert not assessment_expired(assessed, date(2026, 11, 20))
    assert assessment_expired(assessed, date(2026, 11, 21))
    assert assessment_expired(None, TODAY)

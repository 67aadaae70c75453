"""In Chinese, the workbench calls the bank's codes by the bank's own words (DOMAIN.md): the
opportunity stages of the sales funnel and the visit purposes an RM picks every day."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from rm_desk.domain.enums import OpportunityStage, VisitPurpose
from rm_desk.views import i18n
from rm_desk.views.customer360.labels import label

BANK_WORDS = [
    (OpportunityStage.LEAD, "线索"),
    (OpportunityStage.CONTACTED, "已接触"),
    (OpportunityStage.NEEDS_CONFIRMED, "需求确认"),
    (OpportunityStage.RECOMMENDED, "已推荐"),
    (OpportunityStage.CLOSING, "待成交"),
    (OpportunityStage.WON, "成交"),
    (OpportunityStage.LOST, "失败"),
    (VisitPurpose.RENEWAL, "到期续作"),
    (VisitPurpose.PORTFOLIO_REVIEW, "资产检视"),
    (VisitPurpose.PRODUCT_PITCH, "产品推荐"),
    (VisitPurpose.COMPLAINT, "投诉处理"),
    (VisitPurpose.POST_LOAN_CHECK, "贷后检查"),
    (VisitPurpose.CREDIT_RENEWAL, "授信续作"),
]


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    i18n.install_language(qapp, "zh")
    yield
    i18n.install_language(qapp, "en")


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize(("code", "word"), BANK_WORDS, ids=[str(c.value) for c, _ in BANK_WORDS])
def test_codes_read_in_the_banks_words(code: OpportunityStage | VisitPurpose, word: str) -> None:
    assert label(code) == word

"""What the bank's analytics derive about a customer: RFM scores, lifecycle stage, churn score and
tags, and the RM's soft profile.

System tags come from the data (RFM segment, lifecycle, value, product preferences, compliance
risks); about one customer in ten also has a manual tag the RM added (source ``rm``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from crm_server.synth.ledger import Ledger
from crm_server.synth.names import pick
from crm_server.synth.people import STORY_BIG_OUT, WAN, Person
from rm_desk.domain.enums import AccountType, LifecycleStage, TagCategory, TagSource, Tier

_RFM_SEGMENTS = {
    (True, True, True): "重要价值客户",
    (True, False, True): "重要发展客户",
    (False, True, True): "重要保持客户",
    (False, False, True): "重要挽留客户",
}
_LIFECYCLE_TAGS = {
    LifecycleStage.NEW: "新客户",
    LifecycleStage.GROWING: "成长期客户",
    LifecycleStage.DECLINING: "衰退期客户",
    LifecycleStage.DORMANT: "沉睡客户",
    LifecycleStage.LOST: "流失客户",
}
_MANUAL_TAGS = (
    "高尔夫爱好者", "关注子女教育", "退休规划", "老客户转介绍", "喜欢书法", "注重养生",
    "海外资产配置需求", "二胎家庭", "宠物爱好者", "频繁出差", "偏好电话沟通", "喜欢旅游",
)  # fmt: skip
_INTERESTS = ("高尔夫", "书法", "旅游", "摄影", "茶艺", "马拉松", "钓鱼", "收藏", "瑜伽", "美食")
_FAMILY_NOTES = (
    "孩子在读高中，关注升学",
    "与父母同住",
    "子女在国外读书",
    "刚有二胎",
    "配偶为公务员",
    "",
)
_REMARKS = (
    "偏好电话沟通，不喜欢上门",
    "工作日晚上方便联系",
    "对收益率敏感",
    "风险意识强，偏保守",
    "",
    "",
    "",
)
_CHANNELS = ("phone", "wechat", "sms", "email", "visit")
_BEST_TIMES = ("weekday_daytime", "weekday_evening", "weekend", "any")


@dataclass(slots=True)
class Scores:
    """Derived scores of a customer."""

    rfm_r: int
    rfm_f: int
    rfm_m: int
    lifecycle: LifecycleStage
    churn: str  # 0.00 … 1.00


def scores(person: Person, ledger: Ledger, rng: random.Random) -> Scores:
    """RFM (1–5 each), lifecycle stage and churn score from the ledger."""
    events = ledger.events
    last = events[-1].day if events else None
    r = 1 if last is None else 5 if last >= -7 else 4 if last >= -30 else 3 if last >= -60 else 2
    count = len(events)
    f = 5 if count >= 30 else 4 if count >= 16 else 3 if count >= 8 else 2 if count >= 3 else 1
    aum = ledger.aum
    m = (
        5
        if aum >= 50 * WAN
        else 4
        if aum >= 10 * WAN
        else 3
        if aum >= 5 * WAN
        else 2
        if aum >= WAN
        else 1
    )
    early = sum(ledger.aum_12m[:3]) / 3
    late = sum(ledger.aum_12m[-3:]) / 3
    if person.since >= -180:
        stage = LifecycleStage.NEW
    elif not events and aum < 10_000:
        stage = LifecycleStage.LOST
    elif not events:
        stage = LifecycleStage.DORMANT
    elif person.story == STORY_BIG_OUT or (early and late < 0.7 * early):
        stage = LifecycleStage.DECLINING
    elif early and late > 1.3 * early:
        stage = LifecycleStage.GROWING
    else:
        stage = LifecycleStage.MATURE
    churn = 0.04 + 0.08 * rng.random()
    churn += {
        LifecycleStage.DORMANT: 0.5,
        LifecycleStage.LOST: 0.8,
        LifecycleStage.DECLINING: 0.35,
    }.get(stage, 0.0)
    churn += 0.05 * (3 - min(r, 3))
    return Scores(r, f, m, stage, f"{min(churn, 0.99):.2f}")


def tags(person: Person, ledger: Ledger, score: Scores, rng: random.Random) -> list[dict[str, Any]]:
    """The customer's tags, as wire records."""
    found: list[tuple[str, TagCategory, TagSource]] = []
    system = TagSource.SYSTEM
    if not person.is_minor and score.rfm_m >= 3:
        # Only the 重要 segments are tagged: the others are plain from the RFM scores.
        key = (score.rfm_r >= 3, score.rfm_f >= 3, True)
        found.append((_RFM_SEGMENTS[key], TagCategory.RFM, system))
    lifecycle = _LIFECYCLE_TAGS.get(score.lifecycle)
    if lifecycle:
        found.append((lifecycle, TagCategory.LIFECYCLE, system))
    if ledger.aum >= 300 * WAN:
        found.append(("高净值客户", TagCategory.VALUE, system))
    elif ledger.tier is Tier.PLATINUM and ledger.mtd_avg >= 200 * WAN:
        found.append(("私行潜力客户", TagCategory.VALUE, system))
    if person.salary and person.occupation != "退休人员":
        found.append(("代发工资客户", TagCategory.VALUE, system))
    if person.corporate:
        found.append(("对公客户", TagCategory.VALUE, system))
    types = {a.type for a in person.accounts}
    if any(a.product is not None and a.product.kind == "mortgage" for a in person.accounts):
        found.append(("房贷客户", TagCategory.VALUE, system))
    held = {h.product.kind for a in person.accounts for h in a.holdings}
    if held & {"closed", "periodic", "cash"}:
        found.append(("偏好稳健理财", TagCategory.PREFERENCE, system))
    if "fund" in held or "private_fund" in held:
        found.append(("基金投资者", TagCategory.PREFERENCE, system))
    if AccountType.INSURANCE in types and rng.random() < 0.5:
        found.append(("保险配置", TagCategory.PREFERENCE, system))
    if "metal" in held:
        found.append(("贵金属投资", TagCategory.PREFERENCE, system))
    if person.assessed is not None and person.assessed < -365:
        found.append(("风险测评过期", TagCategory.RISK, system))
    if person.risk is not None and any(
        h.product.risk > person.risk for a in person.accounts for h in a.holdings
    ):
        found.append(("持仓超风险等级", TagCategory.RISK, system))
    if not person.is_minor and rng.random() < 0.1:
        found.append((pick(rng, _MANUAL_TAGS), TagCategory.MANUAL, TagSource.RM))
    return [
        {
            "id": f"g-{person.num}-{n + 1}",
            "customer_id": person.id,
            "name": name,
            "category": category.value,
            "source": source.value,
        }
        for n, (name, category, source) in enumerate(found)
    ]


def soft_profile(person: Person, rng: random.Random) -> dict[str, Any]:
    """The RM-editable soft profile (interests, family notes, remarks, do-not-disturb)."""
    rnd = rng.random
    if person.corporate or person.is_minor:
        return {"interests": "", "family_notes": "", "remarks": "", "do_not_disturb": person.dnd}
    interests = "、".join(rng.sample(_INTERESTS, int(rnd() * 3)))
    family = pick(rng, _FAMILY_NOTES) if person.household_id else ""
    return {
        "interests": interests,
        "family_notes": family,
        "remarks": pick(rng, _REMARKS),
        "do_not_disturb": person.dnd,
    }


def contact_prefs(person: Person, rng: random.Random) -> dict[str, Any]:
    """Preferred contact channels and time."""
    if person.is_minor:
        return {"channels": [], "best_time": "any"}
    count = 1 + int(rng.random() * 2.5)
    return {
        "channels": sorted(rng.sample(_CHANNELS, count), key=_CHANNELS.index),
        "best_time": pick(rng, _BEST_TIMES),
    }

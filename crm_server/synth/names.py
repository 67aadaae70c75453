"""Chinese names for people and companies, drawn from pools built once per generation.

Faker's ``zh_CN`` person provider gives the surname frequencies (its table follows the national
census) and the classic given names; Faker is far too slow to call per customer (about 100 µs a
name), so :class:`NamePools` pre-draws given names per gender and generation and the hot loop only
indexes lists.

The compound surnames 欧阳 司马 尉迟 and the polyphonic single ones 曾 单 解 仇 区 查 朴 keep
their natural low frequency; the rarest are lifted to a floor of 3 in 10,000, so a demo book of
6,000 customers holds a few of each for the pinyin search to find (曾 is *zeng*, 单 *shan* …).
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

from faker import Faker
from faker.providers.company.zh_CN import Provider as CompanyProvider
from faker.providers.person.zh_CN import Provider as PersonProvider

SPECIAL_SURNAMES: tuple[str, ...] = (
    "欧阳",
    "司马",
    "曾",
    "单",
    "解",
    "仇",
    "区",
    "查",
    "朴",
    "尉迟",
)
_SPECIAL_FLOOR = 0.03  # percent, the unit of Faker's table (王 is 7.17)

# Characters of two-character given names, by generation: names follow fashions.
_MALE_CHARS = {
    "old": "建国志明伟强军平华勇刚德林永海春金福荣庆良保新忠兴东斌亮文立宏振光玉",
    "mid": "伟磊涛鹏杰超浩宇俊峰晨鑫博斌凯健亮宁辉飞旭龙阳剑东晓志海明军",
    "young": "浩宇轩子梓睿泽博俊杰文一涵铭晨辰豪然皓楷瑞航昊宸奕锦煜逸嘉佑翔远天朗",
}
_FEMALE_CHARS = {
    "old": "秀英桂兰玉芳淑珍凤霞丽华红梅春燕萍敏静云琴荣素兰翠金慧",
    "mid": "丽娜静敏婷雪慧燕艳晶颖倩洁琳莉佳晓梅丹璐蕾娟玲欣雅",
    "young": "欣怡梓涵诗雨桐子萱可馨佳琪思语一诺若彤依晨悦梦妍雅婧曦琳安",
}
_SINGLE_SHARE = {"old": 0.35, "mid": 0.3, "young": 0.12}
_POOL_SIZE = 1500

_INDUSTRY_WORDS = (
    ("科技有限公司", "信息技术"),
    ("商贸有限公司", "批发和零售业"),
    ("建筑工程有限公司", "建筑业"),
    ("餐饮管理有限公司", "住宿和餐饮业"),
    ("医疗器械有限公司", "制造业"),
    ("文化传媒有限公司", "文化、体育和娱乐业"),
    ("物流有限公司", "交通运输、仓储和邮政业"),
    ("机械制造有限公司", "制造业"),
    ("企业管理咨询有限公司", "租赁和商务服务业"),
    ("房地产经纪有限公司", "房地产业"),
    ("教育科技有限公司", "教育"),
    ("食品有限公司", "制造业"),
)


def generation(birth_year: int) -> str:
    """The naming generation of a birth year: ``old`` (before 1970), ``mid``, ``young`` (1995+)."""
    if birth_year < 1970:
        return "old"
    return "mid" if birth_year < 1995 else "young"


@dataclass(frozen=True, slots=True)
class Company:
    """A company name and the industry it is in."""

    name: str
    industry: str


class NamePools:
    """Surnames with their frequencies, and given names pre-drawn per gender and generation."""

    def __init__(self, seed: int) -> None:
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        weights = dict(PersonProvider.last_names)
        for surname in SPECIAL_SURNAMES:
            weights[surname] = max(weights.get(surname, 0.0), _SPECIAL_FLOOR)
        self._surnames = tuple(weights)
        self._cum = tuple(itertools.accumulate(weights.values()))
        self._total = self._cum[-1]
        self._given: dict[tuple[bool, str], tuple[str, ...]] = {}
        for female, gen in itertools.product((False, True), ("old", "mid", "young")):
            self._given[(female, gen)] = self._draw_given(fake, female, gen)
        self._company_prefixes = tuple(
            prefix for prefix in CompanyProvider.company_prefixes if "公司" not in prefix
        )

    @staticmethod
    def _draw_given(fake: Faker, female: bool, gen: str) -> tuple[str, ...]:
        chars = (_FEMALE_CHARS if female else _MALE_CHARS)[gen]
        draw = fake.random
        names: list[str] = []
        for _ in range(_POOL_SIZE):
            if draw.random() < _SINGLE_SHARE[gen]:
                # Faker's own given names (伟, 秀英 …), the classic names of the census.
                names.append(fake.first_name_female() if female else fake.first_name_male())
            else:
                first, second = draw.sample(chars, 2)
                names.append(first + second)
        return tuple(names)

    def surname(self, rng: random.Random) -> str:
        """A surname, by census frequency."""
        index = bisect.bisect_right(self._cum, rng.random() * self._total)
        return self._surnames[min(index, len(self._surnames) - 1)]

    def given(self, rng: random.Random, female: bool, birth_year: int) -> str:
        """A given name fitting the gender and the generation of ``birth_year``."""
        pool = self._given[(female, generation(birth_year))]
        return pool[int(rng.random() * len(pool))]

    def company(self, rng: random.Random, city: str = "北京") -> Company:
        """A company registered in ``city``: ``北京凌云科技有限公司``."""
        prefix = self._company_prefixes[int(rng.random() * len(self._company_prefixes))]
        suffix, industry = _INDUSTRY_WORDS[int(rng.random() * len(_INDUSTRY_WORDS))]
        return Company(f"{city}{prefix}{suffix}", industry)


def pick(rng: random.Random, items: Sequence[str]) -> str:
    """One of ``items``, uniformly (a fast ``rng.choice`` for the hot loops)."""
    return items[int(rng.random() * len(items))]

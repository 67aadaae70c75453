"""Personal and account numbers that look real and validate: resident IDs with their check
character, USCCs (统一社会信用代码) with theirs, card numbers passing Luhn, mobiles on real
number ranges, and postal addresses around the branch.

The full values only ever go to :class:`~crm_server.synth.records.SeedPii`; records carry them
through :mod:`rm_desk.domain.masking`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from crm_server.synth.names import pick

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# Birthplace codes of resident IDs: Beijing districts first, then where Beijingers come from.
BEIJING_REGIONS = ("110101", "110102", "110105", "110106", "110107", "110108", "110112", "110114")
OTHER_REGIONS = (
    "120101", "130102", "130602", "140105", "210102", "220102", "230102", "320102", "330106",
    "340102", "360102", "370102", "370202", "410102", "420102", "430102", "440104", "500101",
    "510104", "610102", "620102",
)  # fmt: skip

_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "176", "177", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "198", "199",
)  # fmt: skip

_BEIJING_STREETS = {
    "朝阳区": ("建国路", "朝阳北路", "望京街", "东三环中路", "安立路", "酒仙桥路", "朝阳门外大街"),
    "海淀区": ("中关村大街", "学院路", "西三环北路", "复兴路", "万寿路", "苏州街"),
    "东城区": ("东直门内大街", "王府井大街", "朝阳门内大街", "和平里东街"),
    "西城区": ("金融大街", "西直门外大街", "广安门内大街", "德胜门外大街"),
    "丰台区": ("丰台路", "南三环西路", "方庄路", "科学城星火路"),
    "通州区": ("新华大街", "玉桥中路", "九棵树东路"),
    "昌平区": ("回龙观东大街", "天通苑北街", "府学路"),
    "大兴区": ("兴华大街", "黄村西大街", "亦庄文化园西路"),
    "石景山区": ("石景山路", "鲁谷路"),
}
_BEIJING_DISTRICTS = tuple(_BEIJING_STREETS)
_ELSEWHERE = (
    ("河北省廊坊市", "广阳区", "新华路"),
    ("河北省廊坊市", "三河市", "燕郊迎宾路"),
    ("天津市", "和平区", "南京路"),
    ("天津市", "河西区", "友谊路"),
    ("河北省石家庄市", "长安区", "中山东路"),
    ("上海市", "浦东新区", "世纪大道"),
    ("广东省深圳市", "南山区", "科技园路"),
    ("浙江省杭州市", "西湖区", "文三路"),
    ("山东省青岛市", "市南区", "香港中路"),
)
_COMMUNITIES = ("阳光", "华润", "远洋", "首开", "万科", "金地", "保利", "碧桂园", "珠江", "富力")


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address, its province and city (what masking leaves), and whether it is local."""

    full: str
    summary: str
    local: bool


def resident_id(rng: random.Random, region: str, birth: date, female: bool) -> str:
    """An 18-character resident ID number (GB 11643) with a valid check character.

    The 17th digit is odd for men and even for women, as on real IDs.
    """
    sequence = int(rng.random() * 5) * 2 + (0 if female else 1)
    body = (
        f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}"
        f"{int(rng.random() * 100):02d}{sequence}"
    )
    return body + _id_check(body)


def _id_check(body: str) -> str:
    total = 0
    for ch, weight in zip(body, _ID_WEIGHTS, strict=True):
        total += (ord(ch) - 48) * weight
    return _ID_CHECK[total % 11]


def uscc(rng: random.Random, region: str) -> str:
    """An 18-character unified social credit code (GB 32100) with a valid check character.

    The organisation code starts with ``MA`` as those issued since 2015 do, so the code always
    holds letters and never looks like a resident ID number to a leak scanner.
    """
    org = "MA" + "".join(pick(rng, _ORG_CODE_CHARS) for _ in range(7))
    body = f"91{region}{org}"
    total = sum(
        _USCC_CHARS.index(ch) * weight for ch, weight in zip(body, _USCC_WEIGHTS, strict=True)
    )
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def uscc_is_valid(code: str) -> bool:
    """Whether an 18-character USCC's check character is right."""
    if len(code) != 18 or any(ch not in _USCC_CHARS for ch in code):
        return False
    total = sum(
        _USCC_CHARS.index(ch) * weight for ch, weight in zip(code[:17], _USCC_WEIGHTS, strict=True)
    )
    return code[17] == _USCC_CHARS[(31 - total % 31) % 31]


def resident_id_is_valid(number: str) -> bool:
    """Whether an 18-character resident ID's check character is right."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    return number[17] == _id_check(number[:17])


def mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number on a real operator prefix."""
    return pick(rng, _MOBILE_PREFIXES) + f"{int(rng.random() * 100_000_000):08d}"


def passport(rng: random.Random) -> str:
    """A PRC e-passport number (``E`` and eight digits)."""
    return f"E{int(rng.random() * 100_000_000):08d}"


def travel_permit(rng: random.Random, letter: str) -> str:
    """A Hong Kong / Macau (``H`` / ``M``) or Taiwan (no letter) permit number."""
    return f"{letter}{int(rng.random() * 100_000_000):08d}"


def card_number(rng: random.Random, bin_prefix: str, length: int) -> str:
    """A card or account number of ``length`` digits starting with ``bin_prefix``, Luhn-valid."""
    free = length - len(bin_prefix) - 1
    body = bin_prefix + f"{int(rng.random() * 10**free):0{free}d}"
    return body + str(_luhn_digit(body))


def luhn_is_valid(number: str) -> bool:
    """Whether a digit string passes the Luhn check."""
    return number.isdigit() and _luhn_digit(number[:-1]) == int(number[-1])


_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def _luhn_digit(body: str) -> int:
    digits = body[::-1]
    doubled = digits[0::2]
    total = sum(map(int, digits[1::2])) + sum(_LUHN_DOUBLED[ord(ch) - 48] for ch in doubled)
    return (10 - total % 10) % 10


def address(rng: random.Random, local_share: float = 0.88) -> Address:
    """A Beijing home address most of the time, else one in a nearby or large city."""
    building = f"{int(rng.random() * 20) + 1}号楼{int(rng.random() * 6) + 1}单元"
    room = f"{int(rng.random() * 28) + 1}{int(rng.random() * 4) + 1:02d}室"
    if rng.random() < local_share:
        district = pick(rng, _BEIJING_DISTRICTS)
        street = pick(rng, _BEIJING_STREETS[district])
        number = int(rng.random() * 200) + 1
        return Address(f"北京市{district}{street}{number}号院{building}{room}", "北京市", True)
    city, district, street = _ELSEWHERE[int(rng.random() * len(_ELSEWHERE))]
    community = pick(rng, _COMMUNITIES)
    number = int(rng.random() * 300) + 1
    full = f"{city}{district}{street}{number}号{community}小区{building}{room}"
    return Address(full, city, False)


def birthplace_region(rng: random.Random, local: bool) -> str:
    """The birthplace code of a resident ID: mostly Beijing for locals, anywhere for others."""
    if local and rng.random() < 0.6:
        return pick(rng, BEIJING_REGIONS)
    return pick(rng, OTHER_REGIONS)

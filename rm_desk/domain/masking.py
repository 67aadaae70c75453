"""Masking of personal data, the rules of API.md section 5 (client and server share them).

| field kind | masked form |
|---|---|
| mobile | ``138****5678`` (first 3, last 4) |
| ID number | ``110***********123X`` (first 3, last 4) |
| account / card number | ``**** **** **** 1234`` (last 4) |
| name in lists shared outside the book | ``张*`` / ``欧阳**`` |
| address | province and city only |

Every ``mask_*`` function is total: it accepts any string (or ``None``), never raises, and never
returns more of the original than its rule allows. When a value does not fit the rule, less is
shown, never more: at worst :data:`NOTHING_SHOWN`. ``None`` and empty or blank input give ``""``.

The ``is_masked_*`` predicates check a value that claims to be masked already (the server sends C2
fields masked only, API.md section 2): they are tolerant of layout but strict on how much of the
original can be visible. :data:`UNMASKED_PATTERNS` finds unmasked mobiles, ID numbers and card
numbers in any text, for tests that scan screens and logs for leaks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

NOTHING_SHOWN = "****"
"""What a value becomes when its rule allows none of it to be shown."""

COMPOUND_SURNAMES: frozenset[str] = frozenset(
    {
        "欧阳", "司马", "诸葛", "上官", "东方", "尉迟", "皇甫", "令狐", "慕容", "夏侯",
        "公孙", "长孙", "宇文", "司徒", "端木", "南宫", "西门", "独孤", "呼延", "轩辕",
        "万俟", "澹台", "公冶", "宗政", "濮阳", "淳于", "太叔", "申屠", "钟离", "闾丘",
        "东郭", "赫连", "拓跋", "司空", "左丘", "百里", "公羊", "闻人", "仲孙", "羊舌",
    }
)  # fmt: skip
"""Two-character surnames kept whole by :func:`mask_name` (欧阳娜娜 → 欧阳**)."""

UNMASKED_PATTERNS: Mapping[str, re.Pattern[str]] = MappingProxyType(
    {
        # 11-digit CN mobile, optionally with +86 / 0086 / 86, spaces or dashes between groups.
        "mobile": re.compile(r"(?<!\d)(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"),
        # 18-character resident ID: 17 digits and a check character (digit or X).
        "id_number": re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"),
        # 15 to 19-digit card or account number, plain or in groups (4-4-4-4[-3], 4-6-5).
        "card": re.compile(
            r"(?<!\d)(?:\d{15,19}"
            r"|\d{4}(?:[ -]\d{4}){3}(?:[ -]\d{3})?"
            r"|\d{4}[ -]\d{6}[ -]\d{5})(?!\d)"
        ),
    }
)
"""Regexes of unmasked personal numbers, by kind. ``\\d`` also matches full-width digits."""

_MUNICIPALITIES = ("北京", "上海", "天津", "重庆")  # 直辖市: the province is the city
_SPECIAL_REGIONS = ("香港", "澳门")
_AUTONOMOUS_REGIONS: Mapping[str, str] = MappingProxyType(
    {
        "内蒙古": "内蒙古自治区",
        "广西": "广西壮族自治区",
        "西藏": "西藏自治区",
        "宁夏": "宁夏回族自治区",
        "新疆": "新疆维吾尔自治区",
    }
)
_PROVINCES = (
    "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东",
    "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾",
)  # fmt: skip
_COUNTRY_PREFIX = re.compile(r"^(?:中华人民共和国|中国)+")
# A prefecture-level name: up to 8 Han characters, none of those that appear only above or
# below city level (省, 区 县 乡 街 路 …), then a city-level suffix. Shortest match first,
# so 延边朝鲜族自治州延吉市 stops at the 自治州.
_CITY = re.compile(
    r"(?:(?![省区县乡街路道村号巷弄楼室栋座园])[\u3400-\u4dbf\u4e00-\u9fff]){1,8}?(?:自治州|地区|盟|市)"
)
_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d)*")
# The exact forms this module's maskers produce. A value in one of these forms passes its check at
# once; anything else takes the full, slower check. The feed carries millions of masked values, so
# the common case must be cheap.
_CANONICAL_MOBILE = re.compile(r"1[0-9]{2}\*{4}[0-9]{4}")
_CANONICAL_ID_NUMBER = re.compile(r"[0-9]{3}\*{8,11}[0-9]{3}[0-9Xx]")
_CANONICAL_ACCOUNT_NUMBER = re.compile(r"\*{4} \*{4} \*{4} [0-9]{4}")
_ID_18 = re.compile(r"[0-9]{17}[0-9X]")
_ID_15 = re.compile(r"[0-9]{15}")
_MASKED_NAME = re.compile(r"(?P<shown>[^*\s]{0,2})\*+")


def mask_mobile(value: str | None) -> str:
    """Mask a mobile number to its first 3 and last 4 digits (``138****5678``).

    Checks, in order:

    1. ``None``, empty or blank: ``""``;
    2. the ASCII digits are taken after NFKC folding (full-width digits count), everything else
       (``+``, spaces, dashes, brackets, letters) is dropped;
    3. a leading ``86`` or ``0086`` country code in front of 11 digits starting with 1 is dropped;
    4. 11 digits starting with 1 (a CN mobile): first 3, four asterisks, last 4;
    5. any other number of at least 8 digits: ``****`` and the last 4;
    6. anything shorter: :data:`NOTHING_SHOWN`, never the digits.

    Args:
        value: A phone number in any layout.

    Returns:
        The masked number.
    """
    text = _folded(value)
    if not text.strip():
        return ""
    digits = _ascii_digits(text)
    for prefix in ("0086", "86"):
        if len(digits) == len(prefix) + 11 and digits.startswith(prefix + "1"):
            digits = digits[len(prefix) :]
            break
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 8:
        return NOTHING_SHOWN + digits[-4:]
    return NOTHING_SHOWN


def mask_id_number(value: str | None) -> str:
    """Mask an identity document number to its first 3 and last 4 characters.

    Checks, in order:

    1. ``None``, empty or blank: ``""``;
    2. only ASCII letters and digits are kept, after NFKC folding, upper-cased (a trailing ``x``
       becomes ``X``); spaces, dashes and anything else are dropped;
    3. 18 characters, 17 digits then a digit or X (resident ID): first 3, eleven asterisks, last 4
       (``110***********123X``);
    4. 15 digits (first-generation ID): first 3, eight asterisks, last 4;
    5. any other value of at least 8 characters (passports, permits): ``****`` and the last 4;
    6. anything shorter: :data:`NOTHING_SHOWN`.

    Args:
        value: An ID, passport or permit number.

    Returns:
        The masked number.
    """
    text = _folded(value)
    if not text.strip():
        return ""
    cleaned = "".join(ch for ch in text if ch.isascii() and ch.isalnum()).upper()
    if _ID_18.fullmatch(cleaned):
        return f"{cleaned[:3]}{'*' * 11}{cleaned[-4:]}"
    if _ID_15.fullmatch(cleaned):
        return f"{cleaned[:3]}{'*' * 8}{cleaned[-4:]}"
    if len(cleaned) >= 8:
        return NOTHING_SHOWN + cleaned[-4:]
    return NOTHING_SHOWN


def mask_account_number(value: str | None) -> str:
    """Mask an account or card number to its last 4 digits (``**** **** **** 1234``).

    Checks, in order:

    1. ``None``, empty or blank: ``""``;
    2. the ASCII digits are taken after NFKC folding; spaces, dashes and other characters are
       dropped;
    3. at least 8 digits (15, 16 and 19-digit cards, any account number): ``**** **** **** `` and
       the last 4, the same layout whatever the length, so the length is not disclosed;
    4. fewer: :data:`NOTHING_SHOWN`.

    Args:
        value: An account or card number.

    Returns:
        The masked number.
    """
    text = _folded(value)
    if not text.strip():
        return ""
    digits = _ascii_digits(text)
    if len(digits) >= 8:
        return f"**** **** **** {digits[-4:]}"
    return NOTHING_SHOWN


def mask_name(value: str | None) -> str:
    """Mask a person's name to its surname (``张伟`` → ``张*``, ``欧阳娜娜`` → ``欧阳**``).

    Checks, in order:

    1. ``None``, empty or blank: ``""``; surrounding whitespace is ignored;
    2. a single character: ``*``;
    3. at least 3 characters starting with a compound surname of :data:`COMPOUND_SURNAMES`: those
       2 characters, then one asterisk per remaining character;
    4. otherwise the first character (the surname, or a Latin name's first letter), then one
       asterisk per remaining character (``John Smith`` → ``J*********``).

    Args:
        value: A name as the bank holds it.

    Returns:
        The masked name, as long as the input without surrounding whitespace.
    """
    text = _as_text(value).strip()
    if not text:
        return ""
    if len(text) == 1:
        return "*"
    shown = 2 if len(text) >= 3 and text[:2] in COMPOUND_SURNAMES else 1
    return text[:shown] + "*" * (len(text) - shown)


def mask_address(value: str | None) -> str:
    """Reduce an address to its province and city (``广东省深圳市南山区…`` → ``广东省深圳市``).

    Checks, in order:

    1. ``None``, empty or blank: ``""``; whitespace anywhere is removed after NFKC folding, and
       leading 中国 / 中华人民共和国 are dropped;
    2. a municipality (北京, 上海, 天津, 重庆, with or without 市): that city alone (``北京市``);
    3. 香港 or 澳门: ``香港特别行政区`` / ``澳门特别行政区``;
    4. an autonomous region, full or short name (``广西…``): its full name (``广西壮族自治区``);
    5. a province, with or without 省: its name with 省, except that a province name followed at
       once by 市 is a city of the same name (``吉林市…``), handled by step 7;
    6. after a region of steps 4 or 5, a prefecture-level city (市, 自治州, 地区, 盟; up to 8
       Han characters, none of those that mark districts, streets or buildings) is added when it
       follows;
    7. with no region recognised, a leading prefecture-level city alone (``深圳市南山区…`` →
       ``深圳市``);
    8. anything else (no recognisable region or city, foreign addresses): ``""``.

    The result never holds digits, and masking a masked address gives it back unchanged.

    Args:
        value: A postal address.

    Returns:
        Province and city, or less.
    """
    text = re.sub(r"\s+", "", _folded(value))
    text = _COUNTRY_PREFIX.sub("", text)
    if not text:
        return ""
    for city in _MUNICIPALITIES:
        if text.startswith(city):
            return city + "市"
    for region in _SPECIAL_REGIONS:
        if text.startswith(region):
            return region + "特别行政区"
    region_and_rest = _split_region(text)
    if region_and_rest is None:
        city_match = _CITY.match(text)
        return city_match.group(0) if city_match else ""
    region, rest = region_and_rest
    city_match = _CITY.match(rest)
    return region + city_match.group(0) if city_match else region


def last4(value: str | None) -> str:
    """Return the last 4 characters of a number for search, or ``""`` when they are not all shown.

    Works on masked values as on full ones: ``138****5678`` → ``5678``,
    ``**** **** **** 1234`` → ``1234``, ``110***********123X`` → ``123X``.

    Checks, in order:

    1. NFKC folding; spaces and dashes dropped; upper-cased;
    2. the last 4 characters must be digits, or 3 digits and the X check character of an ID
       number; anything else (an asterisk among them, letters, fewer than 4 characters) gives
       ``""``, so a masked position is never guessed.

    Args:
        value: A mobile, ID or account number, masked or not.

    Returns:
        Four characters, or ``""``.
    """
    text = re.sub(r"[\s-]", "", _folded(value)).upper()
    tail = text[-4:]
    shown = len(tail) == 4 and tail[:3].isascii() and tail[:3].isdigit()
    if shown and (tail[3] == "X" or (tail[3].isascii() and tail[3].isdigit())):
        return tail
    return ""


def contains_unmasked(text: str | None) -> bool:
    """Return whether ``text`` holds an unmasked mobile, ID or card number.

    The kinds searched for are those of :data:`UNMASKED_PATTERNS`.
    """
    scanned = _as_text(text)
    return any(pattern.search(scanned) for pattern in UNMASKED_PATTERNS.values())


def is_masked_mobile(value: str | None) -> bool:
    """Return whether a mobile number shows no more than its masking rule allows.

    Checks, in order: empty is masked; otherwise it must contain ``*``, show at most 7 digits, no
    run of more than 4 digits (spaces and dashes between digits do not break a run), and match no
    :data:`UNMASKED_PATTERNS`.
    """
    if value is not None and _CANONICAL_MOBILE.fullmatch(value):
        return True
    text = _folded(value)
    if not text:
        return True
    return "*" in text and _discloses_at_most(text, digits=7, run=4) and not contains_unmasked(text)


def is_masked_id_number(value: str | None) -> bool:
    """Return whether an ID number shows no more than its masking rule allows.

    Checks, in order: empty is masked; otherwise it must contain ``*``, show at most 7 letters and
    digits, and no run of more than 4 digits.
    """
    if value is not None and _CANONICAL_ID_NUMBER.fullmatch(value):
        return True
    text = _folded(value)
    if not text:
        return True
    shown = sum(1 for ch in text if ch.isalnum())
    return "*" in text and shown <= 7 and _discloses_at_most(text, digits=7, run=4)


def is_masked_account_number(value: str | None) -> bool:
    """Return whether an account number shows no more than its last 4 digits.

    Checks, in order: empty is masked; otherwise it must contain ``*`` and at most 4 digits.
    """
    if value is not None and _CANONICAL_ACCOUNT_NUMBER.fullmatch(value):
        return True
    text = _folded(value)
    if not text:
        return True
    return "*" in text and _discloses_at_most(text, digits=4, run=4)


def is_masked_text(value: str | None) -> bool:
    """Return whether free text that may mention numbers (a counterparty, say) discloses none.

    Checks, in order: it must match no :data:`UNMASKED_PATTERNS` and hold no run of more than 4
    digits (spaces and dashes between digits do not break a run).
    """
    text = _folded(value)
    if _DIGIT_RUN.search(text) is None:
        return True  # no digit once folded (full-width, circled …): no number is disclosed
    return not contains_unmasked(text) and _discloses_at_most(text, run=4)


def is_masked_name(value: str | None) -> bool:
    """Return whether a name shows no more than its surname.

    Checks, in order: empty is masked; otherwise it must be asterisks after at most one character,
    or after a compound surname of :data:`COMPOUND_SURNAMES`.
    """
    text = _as_text(value)
    if not text:
        return True
    match = _MASKED_NAME.fullmatch(text)
    if match is None:
        return False
    shown = match.group("shown")
    return len(shown) <= 1 or shown in COMPOUND_SURNAMES


def is_masked_address(value: str | None) -> bool:
    """Return whether an address is reduced to province and city: masking it changes nothing."""
    text = _as_text(value)
    return mask_address(text) == text


def _as_text(value: object) -> str:
    # Callers are typed, but masking must never raise on odd input (a number from a CSV, say).
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _folded(value: object) -> str:
    # NFKC turns full-width digits and letters into ASCII ones, so they are masked like any other.
    return unicodedata.normalize("NFKC", _as_text(value))


def _ascii_digits(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")


def _discloses_at_most(text: str, *, run: int, digits: int | None = None) -> bool:
    """No run of more than ``run`` digits and, if given, no more than ``digits`` digits in all."""
    runs = [sum(ch.isdigit() for ch in found) for found in _DIGIT_RUN.findall(text)]
    return max(runs, default=0) <= run and (digits is None or sum(runs) <= digits)


def _split_region(text: str) -> tuple[str, str] | None:
    """Find a leading autonomous region or province; return its full name and the rest."""
    for short, full in _AUTONOMOUS_REGIONS.items():
        for spelling in (full, short):
            if text.startswith(spelling):
                return full, text[len(spelling) :]
    for short in _PROVINCES:
        full = short + "省"
        if text.startswith(full):
            return full, text[len(full) :]
        if text.startswith(short):
            rest = text[len(short) :]
            if rest.startswith("市"):
                return None  # 吉林市, 海南… : a city named like its province
            return full, rest
    return None


__all__ = [
    "COMPOUND_SURNAMES",
    "NOTHING_SHOWN",
    "UNMASKED_PATTERNS",
    "contains_unmasked",
    "is_masked_account_number",
    "is_masked_address",
    "is_masked_id_number",
    "is_masked_mobile",
    "is_masked_name",
    "is_masked_text",
    "last4",
    "mask_account_number",
    "mask_address",
    "mask_id_number",
    "mask_mobile",
    "mask_name",
]

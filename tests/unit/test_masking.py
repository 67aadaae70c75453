"""Masking rules of API.md section 5, as tables of cases plus properties over any input."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rm_desk.domain.masking import (
    NOTHING_SHOWN,
    UNMASKED_PATTERNS,
    contains_unmasked,
    is_masked_account_number,
    is_masked_address,
    is_masked_id_number,
    is_masked_mobile,
    is_masked_name,
    is_masked_text,
    last4,
    mask_account_number,
    mask_address,
    mask_id_number,
    mask_mobile,
    mask_name,
)

MASKERS = (mask_mobile, mask_id_number, mask_account_number, mask_name, mask_address)


def digits_of(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")


def longest_digit_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"\d+", text)), default=0)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("+8613812345678", "138****5678"),
        ("0086-138-1234-5678", "138****5678"),
        ("(+86) 13812345678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),  # full-width digits from an IME
        ("tel：138 1234 5678", "138****5678"),
        ("010-62345678", "****5678"),  # a landline: last 4 only
        ("+44 20 7946 0958", "****0958"),
        ("1381234", NOTHING_SHOWN),  # too short: asterisks only, never the digits
        ("12", NOTHING_SHOWN),
        ("无", NOTHING_SHOWN),
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_mask_mobile_shows_first_three_and_last_four(raw: str | None, masked: str) -> None:
    assert mask_mobile(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("11010519491231002X", "110***********002X"),
        ("11010519491231002x", "110***********002X"),
        ("110105194912310021", "110***********0021"),
        ("110105 19491231 002X", "110***********002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "110***********002X"),
        ("110105491231002", "110********1002"),  # 15-digit first-generation ID
        ("E12345678", "****5678"),  # passport
        ("H01234567", "****4567"),  # Hong Kong / Macau permit
        ("91350100M000100Y3", "****00Y3"),  # 17 characters: not a resident ID
        ("A123456", NOTHING_SHOWN),  # shorter than 8: nothing shown
        ("护照", NOTHING_SHOWN),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number_shows_first_three_and_last_four(raw: str | None, masked: str) -> None:
    assert mask_id_number(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("6222021234567890", "**** **** **** 7890"),  # 16-digit card
        ("6222021234567890123", "**** **** **** 0123"),  # 19-digit card
        ("378282246310005", "**** **** **** 0005"),  # 15-digit card
        ("6222 0212 3456 7890", "**** **** **** 7890"),
        ("6222-0212-3456-7890-123", "**** **** **** 0123"),
        ("12345678", "**** **** **** 5678"),  # any account of 8 digits or more
        ("1234567", NOTHING_SHOWN),
        ("账号", NOTHING_SHOWN),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_account_number_shows_last_four(raw: str | None, masked: str) -> None:
    assert mask_account_number(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("张伟", "张*"),
        ("王小明", "王**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马光", "司马*"),
        ("诸葛亮", "诸葛*"),
        ("欧阳", "欧*"),  # two characters: the surname is one of them
        ("王", "*"),
        (" 李四 ", "李*"),
        ("John Smith", "J*********"),
        ("阿依古丽·买买提", "阿*******"),
        ("", ""),
        ("  ", ""),
        (None, ""),
    ],
)
def test_mask_name_keeps_the_surname(raw: str | None, masked: str) -> None:
    assert mask_name(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("北京市朝阳区建国路88号", "北京市"),
        ("北京朝阳区建国路88号", "北京市"),
        ("上海市浦东新区世纪大道100号", "上海市"),
        ("重庆市渝中区解放碑", "重庆市"),
        ("广东省深圳市南山区科技园科苑路15号", "广东省深圳市"),
        ("广东深圳市南山区", "广东省深圳市"),
        ("中国浙江省杭州市西湖区", "浙江省杭州市"),
        ("黑龙江省哈尔滨市南岗区", "黑龙江省哈尔滨市"),
        ("广西壮族自治区南宁市青秀区", "广西壮族自治区南宁市"),
        ("广西南宁市青秀区", "广西壮族自治区南宁市"),
        ("新疆维吾尔自治区乌鲁木齐市天山区", "新疆维吾尔自治区乌鲁木齐市"),
        ("内蒙古锡林郭勒盟锡林浩特市", "内蒙古自治区锡林郭勒盟"),
        ("吉林省延边朝鲜族自治州延吉市", "吉林省延边朝鲜族自治州"),
        ("西藏自治区阿里地区噶尔县", "西藏自治区阿里地区"),
        ("吉林省吉林市船营区", "吉林省吉林市"),
        ("吉林市船营区", "吉林市"),  # a city named like its province
        ("湖北省仙桃市", "湖北省仙桃市"),
        ("江苏省镇江市京口区", "江苏省镇江市"),
        ("广东省南山区科技园", "广东省"),  # no city: the province only
        ("深圳市南山区粤海街道", "深圳市"),
        ("香港九龙尖沙咀弥敦道", "香港特别行政区"),
        ("澳门特别行政区氹仔", "澳门特别行政区"),
        ("广东省 深圳市 南山区", "广东省深圳市"),
        ("朝阳区建国路88号", ""),  # no province or city to show
        ("221B Baker Street, London", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_address_keeps_province_and_city_only(raw: str | None, masked: str) -> None:
    assert mask_address(raw) == masked


@pytest.mark.parametrize(
    ("value", "tail"),
    [
        ("138****5678", "5678"),
        ("13812345678", "5678"),
        ("**** **** **** 1234", "1234"),
        ("110***********123X", "123X"),
        ("110***********123x", "123X"),
        ("6222-0212-3456-7890", "7890"),
        ("1****23", ""),  # a masked position is never guessed
        ("****", ""),
        ("123", ""),
        ("E1234567A", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_last4_gives_the_visible_tail_for_search(value: str | None, tail: str) -> None:
    assert last4(value) == tail


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("customer 13812345678 called", "mobile"),
        ("mobile=+86 138 1234 5678", "mobile"),
        ("ID 11010519491231002X ok", "id_number"),
        ("id=11010519491231002x", "id_number"),
        ("card 6222021234567890 charged", "card"),
        ("card 6222 0212 3456 7890", "card"),
        ("card 6222-0212-3456-7890-123", "card"),
        ("amex 3782 822463 10005", "card"),
        ("账号6222021234567890123", "card"),
        ("old id 110105491231002", "card"),  # 15 digits: caught as a long number
    ],
)
def test_unmasked_patterns_find_full_numbers_in_text(text: str, kind: str) -> None:
    assert UNMASKED_PATTERNS[kind].search(text)
    assert contains_unmasked(text)


@pytest.mark.parametrize(
    "text",
    [
        "138****5678",
        "110***********123X",
        "**** **** **** 1234",
        "rev 88121 applied at 2026-11-20T09:00:00Z",
        "amount 1250000.00",
        "op 7d0c4f2e-1b7a-4c55-9a51-0c1f2d3e4f5a",
        "",
    ],
)
def test_unmasked_patterns_leave_masked_and_ordinary_text_alone(text: str) -> None:
    assert not contains_unmasked(text)


@pytest.mark.parametrize(
    ("predicate", "value", "expected"),
    [
        (is_masked_mobile, "138****5678", True),
        (is_masked_mobile, "****5678", True),
        (is_masked_mobile, "", True),
        (is_masked_mobile, "13812345678", False),
        (is_masked_mobile, "1381234****", False),  # 7 digits, but a run of 7
        (is_masked_mobile, "13812****678", False),
        (is_masked_id_number, "110***********123X", True),
        (is_masked_id_number, "****5678", True),
        (is_masked_id_number, "11010519491231002X", False),
        (is_masked_id_number, "110105********002X", False),
        (is_masked_account_number, "**** **** **** 1234", True),
        (is_masked_account_number, "6222 **** **** 1234", False),
        (is_masked_account_number, "6222021234567890", False),
        (is_masked_name, "张*", True),
        (is_masked_name, "欧阳**", True),
        (is_masked_name, "*", True),
        (is_masked_name, "张伟", False),
        (is_masked_name, "王小*", False),  # two characters shown, not a compound surname
        (is_masked_address, "广东省深圳市", True),
        (is_masked_address, "北京市", True),
        (is_masked_address, "", True),
        (is_masked_address, "北京市朝阳区建国路88号", False),
        (is_masked_text, "李*", True),
        (is_masked_text, "招商银行 **** 1234", True),
        (is_masked_text, "张三 6222021234567890", False),
        (is_masked_text, "张三 6222 0212 3456", False),
    ],
)
def test_masked_predicates_accept_masked_values_only(
    predicate: Callable[[str], bool], value: str, expected: bool
) -> None:
    assert predicate(value) is expected


# --- properties over any input -----------------------------------------------------------------

separators = st.sampled_from(["", " ", "-"])
cn_mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@st.composite
def formatted_mobiles(draw: st.DrawFn) -> tuple[str, str]:
    digits = draw(cn_mobiles)
    prefix = draw(st.sampled_from(["", "+86 ", "+86", "0086-", "86"]))
    sep = draw(separators)
    return digits, f"{prefix}{digits[:3]}{sep}{digits[3:7]}{sep}{digits[7:]}"


@given(formatted_mobiles())
def test_masked_mobile_never_shows_the_middle_four_digits(case: tuple[str, str]) -> None:
    digits, raw = case
    masked = mask_mobile(raw)
    assert masked == f"{digits[:3]}****{digits[7:]}"
    assert digits_of(masked) == digits[:3] + digits[7:]
    assert is_masked_mobile(masked)
    assert not contains_unmasked(masked)


@given(st.text())
def test_masked_mobile_of_any_text_shows_at_most_seven_digits_in_runs_of_four(raw: str) -> None:
    masked = mask_mobile(raw)
    assert len(digits_of(masked)) <= 7
    assert longest_digit_run(masked) <= 4
    assert is_masked_mobile(masked)


@given(st.from_regex(r"[1-6][0-9]{16}[0-9Xx]", fullmatch=True))
def test_masked_resident_id_shows_first_three_and_last_four_only(raw: str) -> None:
    masked = mask_id_number(raw)
    assert masked[3:14] == "*" * 11
    assert masked[:3] == raw[:3]
    assert masked[14:] == raw[14:].upper()
    assert is_masked_id_number(masked)
    assert not contains_unmasked(masked)


@given(st.text())
def test_masked_id_number_of_any_text_shows_at_most_seven_characters(raw: str) -> None:
    masked = mask_id_number(raw)
    assert sum(ch != "*" for ch in masked) <= 7
    assert longest_digit_run(masked) <= 4
    assert is_masked_id_number(masked)


@given(st.from_regex(r"[0-9]{8,19}", fullmatch=True), separators)
def test_masked_account_number_shows_the_last_four_digits_only(digits: str, sep: str) -> None:
    raw = sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))
    masked = mask_account_number(raw)
    assert masked == f"**** **** **** {digits[-4:]}"
    assert is_masked_account_number(masked)


@given(st.text())
def test_masked_account_number_of_any_text_shows_at_most_four_digits(raw: str) -> None:
    masked = mask_account_number(raw)
    assert len(digits_of(masked)) <= 4
    assert is_masked_account_number(masked)
    assert not contains_unmasked(masked)


@given(st.text())
def test_masked_name_shows_at_most_the_surname(raw: str) -> None:
    masked = mask_name(raw)
    assert len(masked) == len(raw.strip())
    assert sum(ch != "*" for ch in masked) <= 2
    assert is_masked_name(masked)


address_parts = st.lists(
    st.sampled_from(
        ["中国", "广东", "省", "深圳", "市", "吉林", "北京", "广西", "自治区", "南山区", "延边",
         "自治州", "科技园", "路", "88号", " ", "A座", "地区", "盟", "香港", "镇江"]
    ),
    max_size=8,
).map("".join)  # fmt: skip


@given(st.one_of(st.text(), address_parts))
def test_masked_address_has_no_digits_and_masking_it_again_changes_nothing(raw: str) -> None:
    masked = mask_address(raw)
    assert not re.search(r"\d", masked)
    assert mask_address(masked) == masked
    assert is_masked_address(masked)


@given(st.one_of(st.none(), st.text(), st.binary().map(lambda b: b.decode("latin-1"))))
def test_masking_never_raises_on_odd_input(raw: str | None) -> None:
    for mask in MASKERS:
        assert isinstance(mask(raw), str)
    assert isinstance(last4(raw), str)

"""Pinyin of customer names: surname overrides, compound surnames, latin names, sort keys."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rm_desk.domain import pinyin
from rm_desk.domain.pinyin import (
    COMPOUND_SURNAMES,
    SINGLE_SURNAMES,
    NamePinyin,
    name_pinyin,
    sort_key,
)

# name, syllables: every surname override, each with a given name read by pypinyin's default.
SINGLE_SURNAME_CASES = [
    ("曾志强", ("zeng", "zhi", "qiang")),
    ("单田芳", ("shan", "tian", "fang")),
    ("解晓东", ("xie", "xiao", "dong")),
    ("仇伟", ("qiu", "wei")),
    ("区志华", ("ou", "zhi", "hua")),
    ("查良镛", ("zha", "liang", "yong")),
    ("朴树", ("piao", "shu")),
    ("盖伟", ("ge", "wei")),
    ("缪明", ("miao", "ming")),
    ("覃静", ("qin", "jing")),
    ("翟军", ("zhai", "jun")),
    ("乐嘉", ("yue", "jia")),
    ("华明", ("hua", "ming")),
    ("任伟", ("ren", "wei")),
    ("秘强", ("bi", "qiang")),
    ("万明", ("wan", "ming")),
    ("尉缭", ("wei", "liao")),
    ("种师道", ("chong", "shi", "dao")),
    ("句芳", ("gou", "fang")),
    ("召伟", ("shao", "wei")),
    ("折明", ("she", "ming")),
    ("员半千", ("yun", "ban", "qian")),
    ("沈伟", ("shen", "wei")),
    ("薄明", ("bo", "ming")),
]

COMPOUND_SURNAME_CASES = [
    ("尉迟恭", ("yu", "chi", "gong")),
    ("万俟明", ("mo", "qi", "ming")),
    ("长孙无忌", ("zhang", "sun", "wu", "ji")),
    ("单于明", ("chan", "yu", "ming")),
    ("令狐冲", ("ling", "hu", "chong")),
    ("欧阳修", ("ou", "yang", "xiu")),
    ("上官婉儿", ("shang", "guan", "wan", "er")),
    ("司马光", ("si", "ma", "guang")),
    ("诸葛亮", ("zhu", "ge", "liang")),
    ("皇甫明", ("huang", "fu", "ming")),
    ("慕容复", ("mu", "rong", "fu")),
    ("东方明", ("dong", "fang", "ming")),
    ("夏侯惇", ("xia", "hou", "dun")),
    ("公孙明", ("gong", "sun", "ming")),
    ("宇文明", ("yu", "wen", "ming")),
    ("司徒明", ("si", "tu", "ming")),
    ("端木明", ("duan", "mu", "ming")),
    ("澹台明", ("tan", "tai", "ming")),
]

OTHER_CASES = [
    ("张伟", ("zhang", "wei")),
    ("李伟明", ("li", "wei", "ming")),
    ("张曾", ("zhang", "ceng")),  # 曾 is zeng only as the surname
    ("吕静", ("lv", "jing")),  # ü typed as v
    ("John Smith", ("john", "smith")),
    ("李Anna", ("li", "anna")),
    ("Anna3号", ("anna", "hao")),  # digits dropped
    ("ＪＯＨＮ", ("john",)),  # full-width latin
    ("José", ("josé",)),
    ("阿依古丽·买买提", ("a", "yi", "gu", "li", "mai", "mai", "ti")),
    ("  欧阳修", ("ou", "yang", "xiu")),  # leading spaces do not hide the surname
    ("😀张伟", ("zhang", "wei")),
    ("曾", ("zeng",)),
    ("123", ()),
    ("", ()),
]


@pytest.mark.parametrize(
    ("name", "syllables"), SINGLE_SURNAME_CASES + COMPOUND_SURNAME_CASES + OTHER_CASES
)
def test_name_pinyin_reads_each_name(name: str, syllables: tuple[str, ...]) -> None:
    assert name_pinyin(name) == NamePinyin(
        full="".join(syllables),
        syllables=syllables,
        initials="".join(s[0] for s in syllables),
    )


def test_every_override_in_the_tables_has_a_case() -> None:
    single = {name[0] for name, _ in SINGLE_SURNAME_CASES}
    compound = {name[:2] for name, _ in COMPOUND_SURNAME_CASES}
    assert single == set(SINGLE_SURNAMES)
    assert compound == set(COMPOUND_SURNAMES)


def test_zhang_wei_has_full_syllables_and_initials() -> None:
    assert name_pinyin("张伟") == NamePinyin("zhangwei", ("zhang", "wei"), "zw")


def test_compound_surname_wins_over_its_first_character() -> None:
    assert name_pinyin("尉迟恭").syllables[:2] == ("yu", "chi")
    assert name_pinyin("尉缭").syllables[0] == "wei"
    assert name_pinyin("单于明").syllables[:2] == ("chan", "yu")
    assert name_pinyin("单田芳").syllables[0] == "shan"


def test_characters_are_memoized_after_first_use() -> None:
    name_pinyin.cache_clear()
    pinyin._CHARS.pop("璇", None)
    name_pinyin("张璇")
    assert pinyin._CHARS["璇"] == (True, "xuan")


def test_name_pinyin_result_is_frozen() -> None:
    result = name_pinyin("张伟")
    with pytest.raises(AttributeError):
        result.full = "x"  # type: ignore[misc]


def test_sort_key_is_pinyin_then_name() -> None:
    assert sort_key("张伟") == "zhang wei\t张伟"
    assert sort_key("") == "\t"


def test_sort_key_orders_syllable_by_syllable_and_names_before_their_extensions() -> None:
    names = ["连杰", "张伟明", "李斌", "张伟", "李安", "李", "曾志强", "章伟", "陈明"]
    assert sorted(names, key=sort_key) == [
        "陈明",
        "李",
        "李安",
        "李斌",
        "连杰",
        "曾志强",
        "张伟",
        "章伟",
        "张伟明",
    ]


def test_sort_key_puts_the_surname_override_in_its_pinyin_place() -> None:
    # 曾 as a surname sorts under z (zeng), not under c (ceng).
    assert sort_key("曹操") < sort_key("陈明") < sort_key("杨明") < sort_key("曾志强")


@given(st.text(max_size=30))
def test_any_text_gives_consistent_pinyin(name: str) -> None:
    result = name_pinyin(name)
    assert result.full == "".join(result.syllables)
    assert result.initials == "".join(s[0] for s in result.syllables)
    assert all(s and not any(c.isspace() or c.isdigit() for c in s) for s in result.syllables)
    assert sort_key(name).endswith("\t" + name)


def test_the_reading_table_is_pypinyins_default_reading_of_every_character() -> None:
    # The app reads names with the committed table, not pypinyin (see rm_desk.domain.pinyin);
    # regenerated from the installed pypinyin, it must come out the same, byte for byte.
    table = _table_script()
    assert table.TABLE.read_text(encoding="utf-8") == table.render(table.readings())


def test_every_character_reads_as_pypinyin_reads_it_alone() -> None:
    # Characters of the table, in the basic block and the extensions, as names are read alone.
    from pypinyin import Style, lazy_pinyin

    chars = "张伟璇䶮鑫淼𠮷㐀" + "".join(chr(c) for c in range(0x4E00, 0x9FFF, 97))
    for char in chars:
        expected = lazy_pinyin(char, style=Style.NORMAL)[0]
        assert name_pinyin(char).full == (expected if expected.isascii() else ""), char


def _table_script() -> Any:
    path = Path(__file__).resolve().parents[2] / "scripts" / "pinyin_table.py"
    spec = importlib.util.spec_from_file_location("pinyin_table", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

"""Pinyin of customer names, for search and for the customer list's pinyin order.

:func:`name_pinyin` reads a name one character at a time:

1. The leading surname is looked up first, compound surnames before single ones (``尉迟`` before
   ``尉``), in a table of surname readings that differ from the character's everyday reading
   (``曾`` is *zeng* as a surname, *ceng* in ``曾经``). Only the start of the name is a surname.
2. Every other Chinese character takes its default reading, toneless (``ü`` written ``v`` as on a
   pinyin keyboard). Characters are read one by one, never as words: given names are not
   dictionary phrases, and per-character readings can be memoized.
3. A run of other letters (a latin name) passes through lowercased as one syllable.
4. Anything else (digits, spaces, ``·`` in transliterated names, punctuation, emoji) separates
   syllables and is dropped.

The readings come from ``rm_desk/resources/pinyin_readings.txt``: pypinyin's default reading of
every character it knows (``Style.NORMAL``), written out by ``scripts/pinyin_table.py`` and kept
equal to pypinyin by a test. The app does not import pypinyin: its character dictionary is a Python
module whose import took 0.2 to 0.4 s, holding the interpreter lock throughout — the first sync
to read a name froze the window for as long. The table is read on the first Chinese character
(a few milliseconds), not with this module: the window's start imports the search code through the
write path but reads no name's pinyin.

The bulk ingest computes this for tens of thousands of customers per sync page, so the last
65,536 distinct names are cached whole (the ingest asks for a name's pinyin and then its sort
key). Names are NFKC-normalized first, so full-width latin (Ｊｏｈｎ) reads like ASCII.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

# Surname readings that differ from the character's default reading (or that are
# ambiguous enough to pin down). Compound surnames are matched before single ones.
COMPOUND_SURNAMES: Final[dict[str, tuple[str, str]]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "单于": ("chan", "yu"),
    "令狐": ("ling", "hu"),
    "欧阳": ("ou", "yang"),
    "上官": ("shang", "guan"),
    "司马": ("si", "ma"),
    "诸葛": ("zhu", "ge"),
    "皇甫": ("huang", "fu"),
    "慕容": ("mu", "rong"),
    "东方": ("dong", "fang"),
    "夏侯": ("xia", "hou"),
    "公孙": ("gong", "sun"),
    "宇文": ("yu", "wen"),
    "司徒": ("si", "tu"),
    "端木": ("duan", "mu"),
    "澹台": ("tan", "tai"),
}

SINGLE_SURNAMES: Final[dict[str, str]] = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "盖": "ge",
    "缪": "miao",
    "覃": "qin",
    "翟": "zhai",
    "乐": "yue",
    "华": "hua",
    "任": "ren",
    "秘": "bi",
    "万": "wan",
    "尉": "wei",  # alone it is Wèi; the compound 尉迟 is Yùchí
    "种": "chong",
    "句": "gou",
    "召": "shao",
    "折": "she",
    "员": "yun",
    "沈": "shen",
    "薄": "bo",
}


@dataclass(frozen=True, slots=True)
class NamePinyin:
    """A name's pinyin: ``full`` (``"zhangwei"``), ``syllables``, ``initials`` (``"zw"``)."""

    full: str
    syllables: tuple[str, ...]
    initials: str


def is_han(char: str) -> bool:
    """Whether ``char`` is a CJK unified or compatibility ideograph (a Chinese character)."""
    cp = ord(char)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x3134F
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


# char -> (ends a latin word, text): a Chinese character's reading ("" if it has none) or "" for a
# separator, both ending any latin word; a letter's lowercase form, continuing one.
_CHARS: dict[str, tuple[bool, str]] = {}

_TABLE = Path(__file__).resolve().parents[1] / "resources" / "pinyin_readings.txt"


def _char(char: str) -> tuple[bool, str]:
    """What ``char`` contributes to the pinyin, computed once per distinct character."""
    if is_han(char):
        info = (True, _readings().get(char, ""))
    elif char.isalpha():
        info = (False, char.lower())
    else:
        info = (True, "")
    _CHARS[char] = info  # a plain dict: the GIL makes this idempotent store safe across threads
    return info


@lru_cache(maxsize=1)
def _readings() -> dict[str, str]:
    """Every Chinese character with a reading → its toneless default reading, read on first use.

    Each line of the table is a reading, a tab, and the characters read so; ``#`` starts a
    comment. See the module docstring for where the table comes from.
    """
    text = _TABLE.read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            reading, _, chars = line.partition("\t")
            table.update(dict.fromkeys(chars, reading))
    return table


@lru_cache(maxsize=1 << 16)
def name_pinyin(name: str) -> NamePinyin:
    """The pinyin of a person's or company's name.

    Checks, in order: the name is NFKC-normalized (full-width latin becomes ASCII) and leading
    whitespace is skipped; a compound surname override, else a single surname override, reads
    the start; each remaining Chinese character takes its default reading; runs of other letters
    pass through lowercased as one syllable; everything else separates.

    Args:
        name: the name as the bank spells it, e.g. ``"曾志强"`` or ``"John Smith"``.

    Returns:
        ``NamePinyin(full="zengzhiqiang", syllables=("zeng", "zhi", "qiang"), initials="zzq")``.
    """
    text = unicodedata.normalize("NFKC", name).lstrip()
    compound = COMPOUND_SURNAMES.get(text[:2])
    if compound is not None:
        syllables, rest = list(compound), text[2:]
    elif (single := SINGLE_SURNAMES.get(text[:1])) is not None:
        syllables, rest = [single], text[1:]
    else:
        syllables, rest = [], text
    word = ""
    chars = _CHARS
    for char in rest:
        ends_word, value = chars.get(char) or _char(char)
        if not ends_word:
            word += value
            continue
        if word:
            syllables.append(word)
            word = ""
        if value:
            syllables.append(value)
    if word:
        syllables.append(word)
    return NamePinyin(
        full="".join(syllables),
        syllables=tuple(syllables),
        initials="".join([s[0] for s in syllables]),
    )


def sort_key(name: str) -> str:
    """The customer list's pinyin sort key: syllables, then the name itself.

    Syllables are joined by spaces so the list sorts syllable by syllable, the way Chinese phone
    books do: 李安 ``"li an"`` < 李斌 ``"li bin"`` < 连杰 ``"lian jie"`` (plain concatenation
    would interleave ``"lian"`` of 李安 with 连杰). A tab, which sorts below space and every
    letter, ends the pinyin so a name sorts before its extensions (张伟 before 张伟明), and the
    name breaks ties between homophones deterministically.
    """
    return " ".join(name_pinyin(name).syllables) + "\t" + name

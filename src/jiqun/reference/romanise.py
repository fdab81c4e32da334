"""Hanyu Pinyin keys for Chinese names (search by pinyin and by initials).

A user who types ``wuxi``, ``wx`` or ``无锡`` means the same city. The keys are built with
`pypinyin <https://pypi.org/project/pypinyin/>`_ (MIT), whose phrase dictionary reads the
polyphonic characters of place names the way they are said (重庆 chóng, 长沙 cháng, 厦门 xià,
蚌埠 bèng, 六安 lù).

:func:`region_name_en` writes a region's name the way the English UI shows it: the specific
name in pinyin as one word (``Wuxi``, ``Xi'an``) followed by the English generic (``District``,
``County``, ``Prefecture``, ``League``, ``Banner``, ``Autonomous Prefecture``), with the
established English forms of the provinces and of a few names from minority languages.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

__all__ = ["initials_key", "pinyin_key", "region_name_en"]


@lru_cache(maxsize=65536)
def pinyin_key(text: str) -> str:
    """Return the toneless pinyin of ``text``, lower case, without spaces.

    Parameters
    ----------
    text
        A Chinese name; characters that are not Chinese pass through in lower case.

    Returns
    -------
    str
        The search key, e.g. ``"wuxishi"`` for 无锡市.

    References
    ----------
    GB/T 16159-2012 (Basic rules of the Chinese phonetic alphabet orthography) for the
    spelling; pypinyin's phrase dictionary for polyphonic characters.

    Example
    -------
    >>> pinyin_key("重庆市")
    'chongqingshi'
    """
    return "".join(lazy_pinyin(text)).replace(" ", "").lower()


@lru_cache(maxsize=65536)
def initials_key(text: str) -> str:
    """Return the first letter of each syllable of ``text``, lower case.

    Parameters
    ----------
    text
        A Chinese name.

    Returns
    -------
    str
        The initials, e.g. ``"js"`` for 江苏.

    References
    ----------
    As :func:`pinyin_key`.

    Example
    -------
    >>> initials_key("江苏省")
    'jss'
    """
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).replace(" ", "").lower()


# --------------------------------------------------------------------------------------------
# region names in English
# --------------------------------------------------------------------------------------------

#: provincial-level units whose English form is not the plain pinyin of the name without 省/市
PROVINCES_EN: dict[str, str] = {
    "陕西": "Shaanxi",  # 陕西 and 山西 are both "shanxi" in toneless pinyin
    "内蒙古": "Inner Mongolia",
    "西藏": "Xizang",
    "香港": "Hong Kong",
    "澳门": "Macao",
    "台湾": "Taiwan",
    "新疆": "Xinjiang",
    "广西": "Guangxi",
    "宁夏": "Ningxia",
}

#: the 55 minority nationalities (with and without 族) -> their official English names
ETHNIC_EN: dict[str, str] = {
    "藏": "Tibetan", "蒙古": "Mongolian", "回": "Hui", "维吾尔": "Uygur", "苗": "Miao",
    "彝": "Yi", "壮": "Zhuang", "布依": "Bouyei", "朝鲜": "Korean", "满": "Manchu", "侗": "Dong",
    "瑶": "Yao", "白": "Bai", "土家": "Tujia", "哈尼": "Hani", "哈萨克": "Kazak", "傣": "Dai",
    "黎": "Li", "傈僳": "Lisu", "佤": "Va", "畲": "She", "高山": "Gaoshan", "拉祜": "Lahu",
    "水": "Sui", "东乡": "Dongxiang", "纳西": "Naxi", "景颇": "Jingpo", "柯尔克孜": "Kirgiz",
    "土": "Tu", "达斡尔": "Daur", "仫佬": "Mulao", "羌": "Qiang", "布朗": "Blang", "撒拉": "Salar",
    "毛南": "Maonan", "仡佬": "Gelao", "锡伯": "Xibe", "阿昌": "Achang", "普米": "Pumi",
    "塔吉克": "Tajik", "怒": "Nu", "乌孜别克": "Uzbek", "俄罗斯": "Russian", "鄂温克": "Ewenki",
    "德昂": "Deang", "保安": "Bonan", "裕固": "Yugur", "京": "Gin", "塔塔尔": "Tatar",
    "独龙": "Derung", "鄂伦春": "Oroqen", "赫哲": "Hezhen", "门巴": "Monba", "珞巴": "Lhoba",
    "基诺": "Jino", "各": "Multi-Ethnic",
}  # fmt: skip

#: specific names whose established English form is not their pinyin (names from Mongolian,
#: Uygur, Tibetan and Manchu, as the national statistical yearbook writes them)
SPECIFIC_EN: dict[str, str] = {
    "呼和浩特": "Hohhot", "鄂尔多斯": "Ordos", "呼伦贝尔": "Hulunbuir", "巴彦淖尔": "Bayannur",
    "乌兰察布": "Ulanqab", "兴安": "Hinggan", "锡林郭勒": "Xilingol", "阿拉善": "Alxa",
    "哈尔滨": "Harbin", "齐齐哈尔": "Qiqihar", "大兴安岭": "Da Hinggan Ling", "乌鲁木齐": "Urumqi",
    "克拉玛依": "Karamay", "吐鲁番": "Turpan", "博尔塔拉": "Bortala", "巴音郭楞": "Bayingolin",
    "阿克苏": "Aksu", "克孜勒苏": "Kizilsu", "喀什": "Kashgar", "和田": "Hotan", "伊犁": "Ili",
    "阿勒泰": "Altay", "拉萨": "Lhasa", "日喀则": "Shigatse", "昌都": "Qamdo", "林芝": "Nyingchi",
    "那曲": "Nagqu", "阿里": "Ngari", "果洛": "Golog", "甘孜": "Garze", "阿坝": "Ngawa",
    "迪庆": "Deqen",
}  # fmt: skip

#: specific names pypinyin reads with the wrong reading of a polyphonic character
READINGS: dict[str, str] = {
    "长子": "Zhangzi", "单县": "Shanxian", "朝阳": "Chaoyang", "南乐": "Nanle", "民乐": "Minle",
    "大埔": "Dapu", "繁峙": "Fanshi", "洪洞": "Hongtong", "蚌山": "Bengshan",
    "万柏林": "Wanbailin", "六合": "Luhe", "三都": "Sandu", "都安": "Du'an",
}  # fmt: skip

#: GB/T 2260's placeholder units (no name of their own)
PLACEHOLDERS_EN: dict[str, str] = {
    "市辖区": "city districts",
    "县": "counties",
    "省直辖县级行政区划": "county-level units under the province",
    "自治区直辖县级行政区划": "county-level units under the autonomous region",
}

#: special county-level units -> (suffix, English generic)
_COUNTY_GENERICS: tuple[tuple[str, str], ...] = (
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("管理区管委会", "Administrative Area"),
    ("行政委员会", "Administrative Committee"),
    ("群岛的岛礁及其海域", "Islands, Reefs and Waters"),
    ("高新技术产业开发区", "Hi-tech Industrial Development Zone"),
    ("经济技术开发区", "Economic and Technological Development Zone"),
    ("经济开发区", "Economic Development Zone"),
    ("工业园区", "Industrial Park"),
    ("产业园区", "Industrial Park"),
    ("高新技术开发区", "Hi-tech Development Zone"),
    ("高技术产业开发区", "High-tech Industrial Development Zone"),
    ("开发区", "Development Zone"),
    ("风景名胜区", "Scenic Area"),
    ("城乡一体化示范区", "Urban-Rural Integration Demonstration Zone"),
    ("示范区", "Demonstration Zone"),
    ("实验区", "Experimental Zone"),
    ("矿区", "Mining District"),
    ("群岛", "Islands"),
    ("新城", "New Town"),
    ("林区", "Forestry District"),
    ("特区", "Special District"),
    ("管理区", "Administrative Area"),
    ("园区", "Park"),
    ("新区", "New Area"),
    ("区", "District"),
    ("县", "County"),
    ("旗", "Banner"),
    ("市", ""),
)
_PREFECTURE_GENERICS: tuple[tuple[str, str], ...] = (
    ("自治州", "Autonomous Prefecture"),
    ("地区", "Prefecture"),
    ("盟", "League"),
    ("市", ""),
)
_PROVINCE_GENERICS: tuple[tuple[str, str], ...] = (
    ("特别行政区", ""),
    ("维吾尔自治区", ""),
    ("壮族自治区", ""),
    ("回族自治区", ""),
    ("自治区", ""),
    ("省", ""),
    ("市", ""),
)
_ETHNIC_BY_LENGTH = sorted(ETHNIC_EN, key=len, reverse=True)


def _pinyin_word(text: str) -> str:
    """The pinyin of a specific name as one capitalised word, ``'`` before a syllable that
    starts with a, o or e (``Xi'an``), as GB/T 16159-2012 writes place names.

    A long name that begins with the name of a province or a city (a development zone's
    ``河北唐山芦台``) is written as separate words (``Hebei Tangshan Lutai``).
    """
    if text in SPECIFIC_EN:
        return SPECIFIC_EN[text]
    if text in READINGS:
        return READINGS[text]
    if len(text) >= 4:
        if text.endswith("市") and text[:-1] in _place_heads():
            return _pinyin_word(text[:-1])
        for head in _place_heads():
            if text.startswith(head) and len(text) > len(head) + 1:
                return _pinyin_word(head) + " " + _pinyin_word(text[len(head) :].lstrip("市省"))
    syllables = lazy_pinyin(text, v_to_u=True)
    # pypinyin reads 长 as zhǎng in place names where it is cháng (长治, 长宁, 长沙县 …)
    syllables = [
        "chang" if c == "长" and s == "zhang" else s for c, s in zip(text, syllables, strict=False)
    ]
    out = ""
    for i, s in enumerate(syllables):
        if i and s[:1] in ("a", "o", "e") and out[-1:].isalpha():
            out += "'"
        out += s
    return out[:1].upper() + out[1:]


@lru_cache(maxsize=1)
def _place_heads() -> tuple[str, ...]:
    """Province and prefecture names without their generic, longest first (``内蒙古``, ``唐山``)."""
    import csv
    from importlib import resources

    text = resources.files("jiqun.reference").joinpath("data/admin_divisions_cn_2023.csv")
    heads = set(PROVINCES_EN)
    with text.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["level"] in ("province", "prefecture") and row["name"].endswith(("省", "市")):
                heads.add(row["name"][:-1])
    return tuple(sorted((h for h in heads if len(h) >= 2), key=len, reverse=True))


def _ethnic(stem: str) -> tuple[str, list[str]]:
    """Split ``海西蒙古族藏族`` into the place (``海西``) and its nationalities, read from the end."""
    names: list[str] = []
    while True:
        # a one-character nationality counts only with 族 (海南 is not 海 + 南)
        hit = next(
            (
                (e, form)
                for e in _ETHNIC_BY_LENGTH
                for form in (e + "族", e)
                if stem.endswith(form) and (len(e) > 1 or form.endswith("族"))
            ),
            None,
        )
        if hit is None:
            return stem, names
        names.insert(0, ETHNIC_EN[hit[0]])
        stem = stem[: -len(hit[1])]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@lru_cache(maxsize=8192)
def region_name_en(name_zh: str, level: str | None = None) -> str:
    """The English name of a Chinese administrative division, for the English UI.

    The specific name is written in pinyin as one word (GB/T 16159-2012: ``Xinwu``, ``Xi'an``,
    ``Lüliang``), its generic in English: a province or municipality is its name alone
    (``Jiangsu``, ``Beijing``), a prefecture-level or county-level city too (``Wuxi``,
    ``Jiangyin``); 区 ``District``, 县 ``County``, 旗 ``Banner``, 地区 ``Prefecture``, 盟
    ``League``, 自治州/县/旗 ``Autonomous Prefecture/County/Banner`` after the English names of
    its nationalities (``Haibei Tibetan Autonomous Prefecture``). A one-character specific name
    keeps its generic in pinyin as well (泾县 ``Jingxian County``, 城区 ``Chengqu District``), as
    the place-name rules ask. The provinces with an established form (陕西 ``Shaanxi``, 内蒙古
    ``Inner Mongolia``, 西藏 ``Xizang``, 香港 ``Hong Kong``, 澳门 ``Macao`` …) and a few names from
    minority languages (呼和浩特 ``Hohhot``, 乌鲁木齐 ``Urumqi``, 拉萨 ``Lhasa``) are looked up.

    Parameters
    ----------
    name_zh
        The Chinese name as GB/T 2260 writes it (``无锡市``, ``新吴区``); a name that holds no
        Chinese is returned unchanged.
    level
        ``"province"``, ``"prefecture"`` or ``"county"`` (decides what 市 means); ``None``
        guesses from the name (a county-level 市 and a prefecture-level 市 read the same).

    Returns
    -------
    str
        The English name.

    References
    ----------
    GB/T 16159-2012 (orthography of Hanyu Pinyin, place names written as one word with ``'``
    before a syllable beginning with a, o, e); GB/T 17693.1-2008 (translation of Chinese place
    names into foreign languages: the specific name in pinyin, the generic translated); the
    English names of the nationalities as GB/T 3304-1991 and the statistical yearbook write them.

    Example
    -------
    >>> region_name_en("江苏省", "province"), region_name_en("无锡市", "prefecture")
    ('Jiangsu', 'Wuxi')
    >>> region_name_en("新吴区", "county"), region_name_en("江阴市", "county")
    ('Xinwu District', 'Jiangyin')
    >>> region_name_en("海北藏族自治州", "prefecture")
    'Haibei Tibetan Autonomous Prefecture'
    >>> region_name_en("西安市", "prefecture"), region_name_en("陕西省", "province")
    ("Xi'an", 'Shaanxi')
    """
    name = name_zh.strip()
    if not any("\u3400" <= c <= "\u9fff" for c in name):
        return name
    if name in PLACEHOLDERS_EN:
        return PLACEHOLDERS_EN[name]
    for ph in ("自治区直辖县级行政区划", "省直辖县级行政区划", "市辖区"):
        if name.endswith(ph) and len(name) > len(ph):  # "海南省省直辖县级行政区划"
            return f"{region_name_en(name[: -len(ph)], 'province')}, {PLACEHOLDERS_EN[ph]}"
    if name[:-2] in ("北京", "天津", "上海", "重庆") and name[-2:] == "市县":  # 重庆市县
        return f"{region_name_en(name[:-1], 'province')}, {PLACEHOLDERS_EN['县']}"
    if level is None:
        level = (
            "province"
            if name.endswith(("省", "自治区", "特别行政区")) or name[:-1] in PROVINCES_EN
            else "prefecture"
            if name.endswith(("自治州", "地区", "盟"))
            else "county"
        )
    if level == "province":
        for suffix, _ in _PROVINCE_GENERICS:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                break
        return PROVINCES_EN.get(name) or _pinyin_word(name)
    generics = _PREFECTURE_GENERICS if level == "prefecture" else _COUNTY_GENERICS
    hit = next(((sx, g) for sx, g in generics if name.endswith(sx) and len(name) > len(sx)), None)
    if hit is None:
        return _pinyin_word(name)
    suffix, generic = hit
    stem = name[: -len(suffix)]
    names: list[str] = []
    if suffix.startswith("自治") or stem.endswith("族"):  # 管城回族区: Guancheng Hui District
        stem, names = _ethnic(stem)
    if not generic:  # a city: its name alone
        return _pinyin_word(stem)
    if len(stem) == 1 and not names:  # 泾县 -> Jingxian County (the generic is part of the name)
        stem = name[: len(stem) + 1]
    parts = [_pinyin_word(stem)] if stem else []
    if names:
        parts.append(_and(names))
    parts.append(generic)
    return " ".join(parts)

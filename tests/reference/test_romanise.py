"""Region names in English (``jiqun.reference.romanise.region_name_en``): hand cases."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from jiqun.reference.romanise import region_name_en

CASES = [
    # provincial level: the name alone, established forms where they differ from the pinyin
    ("江苏省", "province", "Jiangsu"),
    ("北京市", "province", "Beijing"),
    ("重庆市", "province", "Chongqing"),
    ("陕西省", "province", "Shaanxi"),
    ("山西省", "province", "Shanxi"),
    ("内蒙古自治区", "province", "Inner Mongolia"),
    ("西藏自治区", "province", "Xizang"),
    ("新疆维吾尔自治区", "province", "Xinjiang"),
    ("广西壮族自治区", "province", "Guangxi"),
    ("宁夏回族自治区", "province", "Ningxia"),
    ("香港特别行政区", "province", "Hong Kong"),
    ("澳门特别行政区", "province", "Macao"),
    ("台湾省", "province", "Taiwan"),
    ("黑龙江省", "province", "Heilongjiang"),
    # prefecture level
    ("无锡市", "prefecture", "Wuxi"),
    ("西安市", "prefecture", "Xi'an"),
    ("六安市", "prefecture", "Lu'an"),
    ("长治市", "prefecture", "Changzhi"),
    ("吕梁市", "prefecture", "Lüliang"),
    ("呼和浩特市", "prefecture", "Hohhot"),
    ("大兴安岭地区", "prefecture", "Da Hinggan Ling Prefecture"),
    ("阿克苏地区", "prefecture", "Aksu Prefecture"),
    ("锡林郭勒盟", "prefecture", "Xilingol League"),
    ("海北藏族自治州", "prefecture", "Haibei Tibetan Autonomous Prefecture"),
    ("海南藏族自治州", "prefecture", "Hainan Tibetan Autonomous Prefecture"),
    ("恩施土家族苗族自治州", "prefecture", "Enshi Tujia and Miao Autonomous Prefecture"),
    ("海西蒙古族藏族自治州", "prefecture", "Haixi Mongolian and Tibetan Autonomous Prefecture"),
    ("伊犁哈萨克自治州", "prefecture", "Ili Kazak Autonomous Prefecture"),
    ("延边朝鲜族自治州", "prefecture", "Yanbian Korean Autonomous Prefecture"),
    # county level
    ("新吴区", "county", "Xinwu District"),
    ("江阴市", "county", "Jiangyin"),
    ("沛县", "county", "Peixian County"),
    ("城区", "county", "Chengqu District"),
    ("单县", "county", "Shanxian County"),
    ("朝阳区", "county", "Chaoyang District"),
    ("达拉特旗", "county", "Dalate Banner"),
    ("鄂温克族自治旗", "county", "Ewenki Autonomous Banner"),
    ("长白朝鲜族自治县", "county", "Changbai Korean Autonomous County"),
    ("龙胜各族自治县", "county", "Longsheng Multi-Ethnic Autonomous County"),
    (
        "积石山保安族东乡族撒拉族自治县",
        "county",
        "Jishishan Bonan, Dongxiang and Salar Autonomous County",
    ),
    ("管城回族区", "county", "Guancheng Hui District"),
    ("神农架林区", "county", "Shennongjia Forestry District"),
    ("六枝特区", "county", "Liuzhi Special District"),
    ("西沙群岛", "county", "Xisha Islands"),
    ("河北沧州经济开发区", "county", "Hebei Cangzhou Economic Development Zone"),
    # placeholders of GB/T 2260 and the display names built from them
    ("市辖区", "prefecture", "city districts"),
    ("重庆市县", None, "Chongqing, counties"),
    ("海南省省直辖县级行政区划", None, "Hainan, county-level units under the province"),
    # no Chinese: unchanged
    ("Wuxi", None, "Wuxi"),
]


@pytest.mark.parametrize(("zh", "level", "en"), CASES)
def test_region_name_en_hand_cases(zh: str, level: str | None, en: str) -> None:
    assert region_name_en(zh, level) == en


def test_level_is_guessed_from_the_name() -> None:
    assert region_name_en("江苏省") == "Jiangsu"
    assert region_name_en("海北藏族自治州") == "Haibei Tibetan Autonomous Prefecture"
    assert region_name_en("新吴区") == "Xinwu District"


def test_every_shipped_region_has_a_latin_english_name() -> None:
    """No Chinese character, no empty name, one capital letter to start, for all 3,351 units."""
    path = resources.files("jiqun.reference").joinpath("data/admin_divisions_cn_2023.csv")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) > 3000
    for row in rows:
        en = region_name_en(row["name"], row["level"])
        assert en and not any("\u3400" <= c <= "\u9fff" for c in en), (row["name"], en)
        assert en[0].isupper() or row["name"] in ("市辖区", "县") or "行政区划" in row["name"], (
            row["name"],
            en,
        )

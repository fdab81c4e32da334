"""Build ``src/jiqun/reference/data/clusters.csv`` from the three shipped cluster lists.

Run from the repository root::

    uv run python scripts/build_clusters_reference.py          # write the file
    uv run python scripts/build_clusters_reference.py --check  # fail if the file is stale

Inputs (all in ``src/jiqun/reference/data/``):

* ``national_clusters_45.csv`` — the 45 national advanced manufacturing clusters (2021 batch of
  25, 2022 batch of 20), with provinces, cities, field and a verification flag;
* ``national_clusters_2024_partial.csv`` — 20 of the 35 national clusters added in 2024;
* ``sme_characteristic_clusters_2024_partial.csv`` — 20 of the 100 national SME characteristic
  clusters (2024), each in one county;
* ``clusters_verification_2026-12.csv`` — a later check of every row above against press and
  government pages (official name, status ``verified`` / ``corrected`` / ``unverified`` /
  ``missing_in_project``, sources, note). It is applied last (:func:`apply_check`): corrected
  names replace the shipped ones, flags follow the check, the 2024 clusters the check found
  missing are added (:data:`NC2024_MISSING`) and a row whose year the check doubts is flagged
  ``doubtful``;
* ``admin_divisions_cn_2023.csv`` and ``gbt4754_2017_codes.csv`` to resolve and check codes.

Everything that is *judgement* rather than lookup lives in the tables below
(:data:`NATIONAL_EXTRA`, :data:`NC2024_EXTRA`, :data:`SME_EXTRA`): English names, leading
industries (GB/T 4754-2017 classes assigned by Jiqun from the cluster name — not an official
list), the field of the 2024 additions (inferred from the name) and the member cities of the 2024
additions that the short names imply.  The script resolves city/county names to GB/T 2260 codes
and refuses to write anything it cannot verify (unknown code, unresolvable name, wrong count).

Conventions (documented in ``SOURCES.md`` too):

* a member region of a national cluster is a *prefecture-level* unit; the four municipalities
  (北京, 天津, 上海, 重庆) are represented by their ``市辖区`` prefecture-level unit (110100,
  120100, 310100, 500100). For 重庆 this leaves out the ``县`` unit 500200 — a user who needs the
  whole municipality should take both;
* a member region of an SME characteristic cluster is the *county-level* unit it is named after;
* a vague member such as "(河北)" (the province takes part, its cities are not known) adds the
  province to ``provinces`` but no member region, and is explained in ``regions_note``.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "jiqun" / "reference" / "data"
OUT = DATA / "clusters.csv"

LEADING_INDUSTRIES_BASIS = "assigned by Jiqun from the cluster name (not an official list)"

FIELDS: dict[str, str] = {
    "new_generation_it": "新一代信息技术",
    "high_end_equipment": "高端装备",
    "new_materials": "新材料",
    "biomedicine": "生物医药及高端医疗器械",
    "consumer_goods": "消费品",
    "nev_icv": "新能源及智能网联汽车",
}
FIELD_BY_ZH = {zh: key for key, zh in FIELDS.items()}

COLUMNS = [
    "cluster_id",
    "name_zh",
    "name_en",
    "tier",
    "batch_year",
    "field",
    "field_zh",
    "member_regions",
    "provinces",
    "leading_industries",
    "leading_industries_basis",
    "verification",
    "source_note",
    "field_basis",
    "regions_note",
    "verification_note",
]

CHECK_FILE = "clusters_verification_2026-12.csv"
#: the date of the check, quoted in ``verification_note``
CHECK_DATE = "2026-12"

FIELD_BASIS_LIST = (
    "as classified in national_clusters_45.csv (Jiqun's grouping of the official list)"
)
FIELD_BASIS_INFERRED = "inferred by Jiqun from the cluster name"

# ---------------------------------------------------------------------------------------------
# Judgement tables
# ---------------------------------------------------------------------------------------------

# The 45 (keyed by name_zh exactly as in national_clusters_45.csv): English name and leading
# industries (GB/T 4754-2017 4-digit classes).
NATIONAL_EXTRA: dict[str, tuple[str, str]] = {
    # --- 2021 batch ---
    "深圳市新一代信息通信集群": (
        "Shenzhen New-Generation Information and Communication Cluster",
        "3921;3922;3911;3973;3976;3982;6520",
    ),
    "无锡市物联网集群": (
        "Wuxi Internet of Things Cluster",
        "3983;3973;3921;3914;6532;6531",
    ),
    "上海市集成电路集群": (
        "Shanghai Integrated Circuit Cluster",
        "3973;3972;6520;3562;3985",
    ),
    "广州市、佛山市、惠州市超高清视频和智能家电集群": (
        "Guangzhou–Foshan–Huizhou Ultra-HD Video and Smart Home Appliance Cluster",
        "3951;3974;3931;3939;3851;3852;3854;3855",
    ),
    "南京市软件和信息服务集群": (
        "Nanjing Software and Information Services Cluster",
        "6511;6512;6513;6519;6531;6550;6560",
    ),
    "东莞市智能移动终端集群": (
        "Dongguan Smart Mobile Terminal Cluster",
        "3922;3961;3969;3984;3982;3981",
    ),
    "杭州市数字安防集群": (
        "Hangzhou Digital Security and Surveillance Cluster",
        "3939;3595;3891;6531;6513",
    ),
    "成都市软件和信息服务集群": (
        "Chengdu Software and Information Services Cluster",
        "6511;6512;6513;6519;6531;6550;6560;6572",
    ),
    "合肥市智能语音集群": (
        "Hefei Intelligent Speech Cluster",
        "6513;6519;6550;3969;3984",
    ),
    "深圳市先进电池材料集群": (
        "Shenzhen Advanced Battery Materials Cluster",
        "3985;3841;3849;3091;2613;2921",
    ),
    "苏州市纳米新材料集群": (
        "Suzhou Nano New Materials Cluster",
        "2613;2619;2641;2651;2659;3091;3985",
    ),
    "宁波市磁性材料集群": (
        "Ningbo Magnetic Materials Cluster",
        "3985;3073;3839",
    ),
    "常州市新型碳材料集群": (
        "Changzhou New Carbon Materials Cluster",
        "3091;2653;2659",
    ),
    "长沙市工程机械集群": (
        "Changsha Construction Machinery Cluster",
        "3514;3511;3517;3432;3433;3434;3444;3630",
    ),
    "株洲市轨道交通装备集群": (
        "Zhuzhou Rail Transit Equipment Cluster",
        "3711;3712;3714;3715;3716;3720;3824",
    ),
    "西安市航空集群": (
        "Xi'an Aviation Cluster",
        "3741;3744;3749;4343",
    ),
    "广深佛莞智能装备集群": (
        "Guangzhou–Shenzhen–Foshan–Dongguan Intelligent Equipment Cluster",
        "3491;3492;3493;4011;3421;3422;3425",
    ),
    "徐州市工程机械集群": (
        "Xuzhou Construction Machinery Cluster",
        "3514;3511;3517;3432;3433;3434;3444;3630",
    ),
    "南京市新型电力（智能电网）装备集群": (
        "Nanjing New Power (Smart Grid) Equipment Cluster",
        "3821;3823;3824;3829;3831;3811;4012",
    ),
    "青岛市轨道交通装备集群": (
        "Qingdao Rail Transit Equipment Cluster",
        "3711;3712;3714;3715;3716;3720",
    ),
    "成都市、德阳市高端能源装备集群": (
        "Chengdu–Deyang High-End Energy Equipment Cluster",
        "3411;3413;3414;3415;3811;3512;3821",
    ),
    "温州市乐清电气集群": (
        "Wenzhou Yueqing Electrical Equipment Cluster",
        "3823;3821;3829;3824;3831;3839;4012",
    ),
    "上海市张江生物医药集群": (
        "Shanghai Zhangjiang Biomedicine Cluster",
        "2710;2720;2761;2762;3581;3584;7340",
    ),
    "深广高端医疗器械集群": (
        "Shenzhen–Guangzhou High-End Medical Device Cluster",
        "3581;3582;3583;3584;3585;3586;3589;2770",
    ),
    "青岛市智能家电集群": (
        "Qingdao Smart Home Appliance Cluster",
        "3851;3852;3853;3854;3855;3857;3951",
    ),
    # --- 2022 batch ---
    "武汉市光电子信息集群": (
        "Wuhan Optoelectronic Information Cluster",
        "3976;3832;3833;3921;3973;3974;3424",
    ),
    "长沙市新一代自主安全计算系统集群": (
        "Changsha New-Generation Independent and Secure Computing Systems Cluster",
        "3911;3912;3914;3915;6511;6512;6520",
    ),
    "成渝地区电子信息先进制造集群": (
        "Chengdu–Chongqing Electronic Information Advanced Manufacturing Cluster",
        "3911;3913;3922;3973;3974;3982",
    ),
    "京津冀生命健康集群": (
        "Beijing–Tianjin–Hebei Life and Health Cluster",
        "2710;2720;2740;2761;2762;3581;3584;7340",
    ),
    "苏州市生物医药及高端医疗器械集群": (
        "Suzhou Biomedicine and High-End Medical Device Cluster",
        "2710;2720;2761;2762;3581;3584;3589;7340",
    ),
    "泰州市、连云港市、无锡市生物医药集群": (
        "Taizhou–Lianyungang–Wuxi Biomedicine Cluster",
        "2710;2720;2740;2761;2762;2770",
    ),
    "南通市、泰州市、扬州市海工装备和高技术船舶集群": (
        "Nantong–Taizhou–Yangzhou Offshore Engineering Equipment and High-Tech Ship Cluster",
        "3731;3734;3735;3737;3513;4342",
    ),
    "株洲市中小航空发动机集群": (
        "Zhuzhou Small and Medium Aero-Engine Cluster",
        "3741;3744;3749;4343;3393",
    ),
    "保定市电力及新能源高端装备集群": (
        "Baoding Power and New Energy High-End Equipment Cluster",
        "3821;3823;3824;3825;3829;3415;3811",
    ),
    "沈阳市机器人及智能制造集群": (
        "Shenyang Robotics and Intelligent Manufacturing Cluster",
        "3491;3492;3493;4011;3421;3425",
    ),
    "潍坊市动力装备集群": (
        "Weifang Power Equipment Cluster",
        "3412;3620;3811;3419;3571",
    ),
    "赣州市稀土新材料及应用集群": (
        "Ganzhou Rare Earth New Materials and Applications Cluster",
        "0932;3232;3254;3985;2613;3813",
    ),
    "宁德市动力电池集群": (
        "Ningde Power Battery Cluster",
        "3841;3849;3985;2613;3612",
    ),
    "宁波市绿色石化集群": (
        "Ningbo Green Petrochemical Cluster",
        "2511;2614;2651;2652;2653;2661",
    ),
    "长春市汽车集群": (
        "Changchun Automotive Cluster",
        "3611;3612;3620;3660;3670",
    ),
    "“武襄十随”汽车集群": (
        "Wuhan–Xiangyang–Shiyan–Suizhou Automotive Cluster",
        "3611;3612;3620;3630;3660;3670",
    ),
    "上海市新能源汽车集群": (
        "Shanghai New Energy Vehicle Cluster",
        "3612;3670;3841;3812;3962",
    ),
    "苏州市、无锡市、南通市高端纺织集群": (
        "Suzhou–Wuxi–Nantong High-End Textile Cluster",
        "1712;1713;1751;1752;1761;1781;1819;2822",
    ),
    "佛山市、东莞市泛家居集群": (
        "Foshan–Dongguan Home Furnishings Cluster",
        "2110;2130;2140;2190;3071;3072;3352",
    ),
    "呼和浩特市乳制品集群": (
        "Hohhot Dairy Products Cluster",
        "1441;1442;1449;1524;0311",
    ),
}


@dataclass(frozen=True)
class Extra2024:
    """Judgement for one 2024 national cluster."""

    name_en: str
    field: str  # cluster field id or "" if truly unknown
    cities: tuple[str, ...]  # city names implied by the short name (prefecture level)
    provinces: tuple[str, ...]  # provinces implied by the name (short names)
    leading: str
    regions_note: str = ""


# Keyed by name_zh as in national_clusters_2024_partial.csv.
NC2024_EXTRA: dict[str, Extra2024] = {
    "榆鄂宁现代煤化工集群": Extra2024(
        "Yulin–Ordos–Ningdong Modern Coal Chemical Cluster",
        "new_materials",
        ("榆林", "鄂尔多斯", "银川"),
        ("陕西", "内蒙古", "宁夏"),
        "2521;2522;2523;2614;2651",
        "宁 read as the Ningdong energy and chemical base (宁东能源化工基地), which lies in "
        "Yinchuan (银川市, mostly Lingwu 灵武市); inferred from the short name",
    ),
    "京津冀新一代信息技术应用创新集群": Extra2024(
        "Beijing–Tianjin–Hebei New-Generation IT Application Innovation (Xinchuang) Cluster",
        "new_generation_it",
        ("北京", "天津"),
        ("北京", "天津", "河北"),
        "6511;6512;6513;6520;6531;3911;3912;3915",
        "Hebei member cities not known: Hebei (130000) is listed as a province only",
    ),
    "京津冀集成电路集群": Extra2024(
        "Beijing–Tianjin–Hebei Integrated Circuit Cluster",
        "new_generation_it",
        ("北京", "天津"),
        ("北京", "天津", "河北"),
        "3973;3972;6520;3562;3985",
        "Hebei member cities not known: Hebei (130000) is listed as a province only",
    ),
    "包头稀土新材料集群": Extra2024(
        "Baotou Rare Earth New Materials Cluster",
        "new_materials",
        ("包头",),
        ("内蒙古",),
        "0932;3232;3254;3985",
    ),
    "浙东工业母机集群": Extra2024(
        "Eastern Zhejiang Machine Tool Cluster",
        "high_end_equipment",
        (),
        ("浙江",),
        "3421;3422;3424;3425;3429",
        "member cities not named (浙东 = eastern Zhejiang); only the province is recorded",
    ),
    "成渝地区生物医药集群": Extra2024(
        "Chengdu–Chongqing Biomedicine Cluster",
        "biomedicine",
        ("成都", "重庆"),
        ("四川", "重庆"),
        "2710;2720;2740;2761;2762;3584",
    ),
    "京津冀安全应急装备集群": Extra2024(
        "Beijing–Tianjin–Hebei Safety and Emergency Equipment Cluster",
        "high_end_equipment",
        ("北京", "天津"),
        ("北京", "天津", "河北"),
        "3595;3353;3596;3492;3599",
        "Hebei member cities not known: Hebei (130000) is listed as a province only",
    ),
    "青烟威船舶与海洋工程装备集群": Extra2024(
        "Qingdao–Yantai–Weihai Shipbuilding and Offshore Engineering Equipment Cluster",
        "high_end_equipment",
        ("青岛", "烟台", "威海"),
        ("山东",),
        "3731;3734;3735;3737;3513",
    ),
    "苏州高端科技仪器集群": Extra2024(
        "Suzhou High-End Scientific Instruments Cluster",
        "high_end_equipment",
        ("苏州",),
        ("江苏",),
        "4014;4028;4040;4013;4015;4021;4019",
    ),
    "金白兰武有色金属集群": Extra2024(
        "Jinchang–Baiyin–Lanzhou–Wuwei Non-Ferrous Metals Cluster",
        "new_materials",
        ("金昌", "白银", "兰州", "武威"),
        ("甘肃",),
        "0911;0913;3211;3212;3213;3216;3251;3252",
    ),
    "成德绵自凉航空航天集群": Extra2024(
        "Chengdu–Deyang–Mianyang–Zigong–Liangshan Aerospace Cluster",
        "high_end_equipment",
        ("成都", "德阳", "绵阳", "自贡", "凉山"),
        ("四川",),
        "3741;3742;3743;3744;3749;4343",
    ),
    "环杭州湾现代纺织服装集群": Extra2024(
        "Hangzhou Bay Area Modern Textile and Apparel Cluster",
        "consumer_goods",
        ("绍兴",),
        ("浙江",),
        "1713;1751;1752;1761;1811;1819;1821;2822",
        "绍兴 led the application (the 2026-12 check); the other cities around Hangzhou Bay "
        "(环杭州湾) are not known",
    ),
    "大盘绿色石化集群": Extra2024(
        "Dalian–Panjin Green Petrochemical Cluster",
        "new_materials",
        ("大连", "盘锦"),
        ("辽宁",),
        "2511;2614;2651;2652;2653;2661",
    ),
    "宝汉天工业母机集群": Extra2024(
        "Baoji–Hanzhong–Tianshui Machine Tool Cluster",
        "high_end_equipment",
        ("宝鸡", "汉中", "天水"),
        ("陕西", "甘肃"),
        "3421;3422;3425;3429",
    ),
    "广深佛惠莞中智能网联新能源汽车集群": Extra2024(
        "Guangzhou–Shenzhen–Foshan–Huizhou–Dongguan–Zhongshan Intelligent Connected "
        "New Energy Vehicle Cluster",
        "nev_icv",
        ("广州", "深圳", "佛山", "惠州", "东莞", "中山"),
        ("广东",),
        "3612;3670;3962;3841;3812",
    ),
    "哈尔滨航空集群": Extra2024(
        "Harbin Aviation Cluster",
        "high_end_equipment",
        ("哈尔滨",),
        ("黑龙江",),
        "3741;3744;3749;4343",
    ),
    "洛阳现代农机装备集群": Extra2024(
        "Luoyang Modern Agricultural Machinery Cluster",
        "high_end_equipment",
        ("洛阳",),
        ("河南",),
        "3571;3572;3576;3579",
    ),
    "郑南商许超硬材料集群": Extra2024(
        "Zhengzhou–Nanyang–Shangqiu–Xuchang Superhard Materials Cluster",
        "new_materials",
        ("郑州", "南阳", "商丘", "许昌"),
        ("河南",),
        "3099;3321",
    ),
    "金华台州丘陵山区农机装备集群": Extra2024(
        "Jinhua–Taizhou Hilly and Mountainous Area Agricultural Machinery Cluster",
        "high_end_equipment",
        ("金华", "台州"),
        ("浙江",),
        "3571;3572;3576;3579",
    ),
    "长三角（含江西）大飞机集群": Extra2024(
        "Yangtze River Delta (incl. Jiangxi) Large Aircraft Cluster",
        "high_end_equipment",
        ("上海", "六安"),
        ("上海", "江苏", "浙江", "安徽", "江西"),
        "3741;3744;3749;4343",
        "the 2026-12 check names 上海 and 六安 (Anhui); the rest is given only as 苏南五市, "
        "环杭州湾 and 江西, so those provinces are recorded without cities",
    ),
}


@dataclass(frozen=True)
class Missing2024:
    """A 2024 national cluster the check found missing; its list position is not known."""

    name_zh: str  # as shipped; the check's own wording unless the check has none
    extra: Extra2024
    verification: str  # "verified", or "partial" where the check did not see the exact wording


# Keyed by ``name_official`` of the check file (rows with status ``missing_in_project``), in the
# file's order; ids NC2024-X05… follow that order. Member cities are those the check lists, and
# nothing beyond them.
NC2024_MISSING: dict[str, Missing2024] = {
    "沈阳航空集群": Missing2024(
        "沈阳航空集群",
        Extra2024(
            "Shenyang Aviation Cluster",
            "high_end_equipment",
            ("沈阳",),
            ("辽宁",),
            "3741;3744;3749;4343",
        ),
        "verified",
    ),
    "沈大工业母机集群": Missing2024(
        "沈大工业母机集群",
        Extra2024(
            "Shenyang–Dalian Machine Tool Cluster",
            "high_end_equipment",
            ("沈阳", "大连"),
            ("辽宁",),
            "3421;3422;3425;3429",
        ),
        "verified",
    ),
    "衡长株潭特高压输变电装备集群": Missing2024(
        "衡长株潭特高压输变电装备集群",
        Extra2024(
            "Hengyang–Changsha–Zhuzhou–Xiangtan UHV Power Transmission and Transformation "
            "Equipment Cluster",
            "high_end_equipment",
            ("衡阳", "长沙", "株洲", "湘潭"),
            ("湖南",),
            "3821;3822;3823;3824;3829;3831",
        ),
        "verified",
    ),
    "乌昌石光伏集群": Missing2024(
        "乌昌石光伏集群",
        Extra2024(
            "Urumqi–Changji–Shihezi Photovoltaic Cluster",
            "high_end_equipment",
            ("乌鲁木齐", "昌吉"),
            ("新疆",),
            "3825;3140;2613;3985",
            "石河子 (659001) is a county-level city directly under the autonomous region, not a "
            "prefecture-level unit, so it is not a member region; its grouping 659000 holds "
            "other cities too",
        ),
        "verified",
    ),
    "盐常宿淮绿色光伏集群": Missing2024(
        "盐常宿淮绿色光伏集群",
        Extra2024(
            "Yancheng–Changzhou–Suqian–Huai'an Green Photovoltaic Cluster",
            "high_end_equipment",
            ("盐城", "常州", "宿迁", "淮安"),
            ("江苏",),
            "3825;3985;3562;3569",
        ),
        "partial",  # the check saw 盐常宿淮绿色光伏先进制造业集群, not MIIT's exact wording
    ),
    "苏南特钢材料集群": Missing2024(
        "苏南特钢材料集群",
        Extra2024(
            "Southern Jiangsu Special Steel Materials Cluster",
            "new_materials",
            ("南京", "无锡"),
            ("江苏",),
            "3120;3130;3140",
            "南京 leads and 无锡 takes part; the other member cities are not known",
        ),
        "verified",
    ),
    "Quanzhou Modern Sports Products Cluster (泉州…现代体育产品集群; Chinese wording not seen)": (
        Missing2024(
            # The source gives the English name only: "…" marks the words not seen, and the
            # bracket says so, rather than guessing the official Chinese wording.
            "泉州…现代体育产品集群（中文全称待核）",
            Extra2024(
                "Quanzhou Modern Sports Products Cluster",
                "consumer_goods",
                ("泉州",),
                ("福建",),
                "2441;2442;2443;2444;2449;1811;1821;1951",
            ),
            "partial",  # English name only in the source
        )
    ),
}

# SME characteristic clusters, keyed by name_zh: English name, inferred field, leading classes.
SME_EXTRA: dict[str, tuple[str, str, str]] = {
    "海淀区机器人产业集群": (
        "Haidian District Robotics Industry Cluster",
        "high_end_equipment",
        "3491;3492;3964;4011",
    ),
    "密云区测控装备产业集群": (
        "Miyun District Measurement and Control Equipment Industry Cluster",
        "high_end_equipment",
        "4011;4012;4013;4028",
    ),
    "顺义区航空装备配套产业集群": (
        "Shunyi District Aviation Equipment Supporting Industry Cluster",
        "high_end_equipment",
        "3744;3749;4343",
    ),
    "西青区能源矿产装备产业集群": (
        "Xiqing District Energy and Mining Equipment Industry Cluster",
        "high_end_equipment",
        "3511;3512;3513",
    ),
    "路北区智能特种机器人产业集群": (
        "Lubei District Intelligent Special-Purpose Robot Industry Cluster",
        "high_end_equipment",
        "3492;3491",
    ),
    "安国市中药材精深加工产业集群": (
        "Anguo City Chinese Medicinal Materials Deep-Processing Industry Cluster",
        "biomedicine",
        "2730;2740;0171",
    ),
    "宣化区岩土工程装备产业集群": (
        "Xuanhua District Geotechnical Engineering Equipment Industry Cluster",
        "high_end_equipment",
        "3514;3517;3511;3592",
    ),
    "磁县循环化工新材料产业集群": (
        "Ci County Circular Chemical New Materials Industry Cluster",
        "new_materials",
        "2614;2619;2651;2662",
    ),
    "宁晋县中低压及新能源电线电缆产业集群": (
        "Ningjin County Low/Medium-Voltage and New Energy Wire and Cable Industry Cluster",
        "high_end_equipment",
        "3831;3834",
    ),
    "枣强县玻璃纤维增强复合材料产业集群": (
        "Zaoqiang County Glass-Fibre Reinforced Composites Industry Cluster",
        "new_materials",
        "3061;3062",
    ),
    "定襄县法兰锻造产业集群": (
        "Dingxiang County Flange Forging Industry Cluster",
        "high_end_equipment",
        "3393;3489",
    ),
    "青山区光伏装备产业集群": (
        "Qingshan District Photovoltaic Equipment Industry Cluster",
        "high_end_equipment",
        "3825;3569;3985",
    ),
    "太和区特种合金产业集群": (
        "Taihe District Special Alloys Industry Cluster",
        "new_materials",
        "3240;3140",
    ),
    "平房区航空配套产业集群": (
        "Pingfang District Aviation Supporting Industry Cluster",
        "high_end_equipment",
        "3744;3749;4343",
    ),
    "徐汇区检验检测认证产业集群": (
        "Xuhui District Testing, Inspection and Certification Industry Cluster",
        "",  # a service cluster: none of the six manufacturing fields fits
        "7451;7452;7453;7455",
    ),
    "浦东新区高端通用芯片设计产业集群": (
        "Pudong New Area High-End General-Purpose Chip Design Industry Cluster",
        "new_generation_it",
        "6520;3973",
    ),
    "闵行区空间信息产业集群": (
        "Minhang District Spatial Information Industry Cluster",
        "new_generation_it",
        "6571;7441;3743;4023",
    ),
    "奉贤区化妆品产业集群": (
        "Fengxian District Cosmetics Industry Cluster",
        "consumer_goods",
        "2682;2684",
    ),
    "松江区卫星互联网产业集群": (
        "Songjiang District Satellite Internet Industry Cluster",
        "new_generation_it",
        "3742;3743;3921;6339",
    ),
    "无锡市新吴区物联网微机电系统传感器产业集群": (
        "Wuxi Xinwu District IoT MEMS Sensor Industry Cluster",
        "new_generation_it",
        "3983;3973;6532",
    ),
}

MUNICIPALITY_UNITS = {"北京": "110100", "天津": "120100", "上海": "310100", "重庆": "500100"}


# ---------------------------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------------------------


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class Regions:
    """Name → code resolution over admin_divisions_cn_2023.csv."""

    def __init__(self) -> None:
        rows = _read("admin_divisions_cn_2023.csv")
        self.rows = rows
        self.by_code_level = {(r["code"], r["level"]): r for r in rows}
        self.provinces = [r for r in rows if r["level"] == "province"]
        self.prefectures = [r for r in rows if r["level"] == "prefecture"]
        self.counties = [r for r in rows if r["level"] == "county"]

    def province(self, short: str) -> str:
        """Province code from a short or full name (广东 / 广东省 / 内蒙古)."""
        hits = [p["code"] for p in self.provinces if p["name"].startswith(short)]
        if len(hits) != 1:
            raise ValueError(f"province {short!r} resolves to {hits}")
        return hits[0]

    def prefecture(self, city: str, allowed_provinces: set[str] | None = None) -> str:
        """Prefecture-level code for a city name (深圳 / 深圳市 / 凉山)."""
        short = city.removesuffix("市")
        if short in MUNICIPALITY_UNITS:
            return MUNICIPALITY_UNITS[short]
        hits = [
            p["code"]
            for p in self.prefectures
            if p["name"] in (short + "市", short + "地区", short + "盟", short)
            or (p["name"].startswith(short) and p["name"].endswith("自治州"))
        ]
        if allowed_provinces is not None:
            hits = [h for h in hits if h[:2] + "0000" in allowed_provinces]
        if len(hits) != 1:
            raise ValueError(f"city {city!r} resolves to {hits}")
        return hits[0]

    def county(self, province: str, city: str, county: str) -> str:
        """County-level code from province, city and county names."""
        prov = self.province(province)
        hits = [c for c in self.counties if c["name"] == county and c["province_code"] == prov]
        if len(hits) > 1:
            pref = self.prefecture(city, {prov})
            hits = [c for c in hits if c["parent_code"] == pref]
        if len(hits) != 1:
            raise ValueError(f"county {province}/{city}/{county} resolves to {hits}")
        return hits[0]["code"]


def _industry_classes() -> set[str]:
    return {r["code"] for r in _read("gbt4754_2017_codes.csv") if r["level"] == "4"}


def _check_leading(cluster: str, leading: str, classes: set[str]) -> str:
    codes = leading.split(";")
    bad = [c for c in codes if c not in classes]
    if bad:
        raise ValueError(f"{cluster}: not GB/T 4754-2017 classes: {bad}")
    if not 2 <= len(codes) <= 8 or len(set(codes)) != len(codes):
        raise ValueError(f"{cluster}: need 2–8 distinct leading classes, got {codes}")
    return leading


def _join(codes: list[str]) -> str:
    return ";".join(dict.fromkeys(codes))  # de-duplicate, keep order


# ---------------------------------------------------------------------------------------------
# The check (clusters_verification_2026-12.csv)
# ---------------------------------------------------------------------------------------------

#: check status -> the flag a row gets; ``unverified`` keeps the shipped flag but never above
#: ``partial`` (the check could not confirm the wording), see :func:`check_flag`.
CHECKED_OK = ("verified", "corrected")
YEAR_DOUBT_MARK = "YEAR DOUBTFUL"


def check_flag(shipped: str, status: str, note: str) -> str:
    """The verification flag of a shipped row after the check.

    Parameters
    ----------
    shipped:
        The row's flag before the check (``verified`` / ``partial`` / ``recalled``).
    status, note:
        The check's ``status`` and ``note`` for the row.

    Returns
    -------
    str
        ``doubtful`` when the check doubts the row's year; ``verified`` when the check confirmed
        (or corrected) the row; otherwise the shipped flag, lowered to ``partial`` if it was
        ``verified`` (a fresh check that cannot confirm the wording outranks an older one).

    Example
    -------
    >>> check_flag("partial", "corrected", ""), check_flag("verified", "unverified", "")
    ('verified', 'partial')
    """
    if YEAR_DOUBT_MARK in note:
        return "doubtful"
    if status in CHECKED_OK:
        return "verified"
    if status == "unverified":
        return "partial" if shipped == "verified" else shipped
    raise ValueError(f"unexpected check status {status!r}")


def apply_check(
    rows: list[dict[str, str]], regions: Regions, classes: set[str]
) -> list[dict[str, str]]:
    """Apply the check file to the built rows and append the clusters it found missing."""
    check = _read(CHECK_FILE)
    by_id = {r["id_in_project"]: r for r in check if r["id_in_project"]}
    built = {row["cluster_id"] for row in rows}
    if set(by_id) != built:
        raise ValueError(f"check file out of step with the lists: {set(by_id) ^ built}")
    for row in rows:
        c = by_id[row["cluster_id"]]
        if c["status"] in CHECKED_OK and c["name_official"] != row["name_zh"]:
            row["name_zh"] = c["name_official"]
            if row["cluster_id"] in NAME_EN_CORRECTED:
                row["name_en"] = NAME_EN_CORRECTED[row["cluster_id"]]
        row["verification"] = check_flag(row["verification"], c["status"], c["note"])
        sources = c["source_url_or_repo"] or "no source found in the check"
        if row["verification"] == "doubtful":
            row["source_note"] = (
                "年份存疑：国家级公示报道日期为 10-18（未见年份），而 2024 年名单于 2024-08-30 公示，"
                "可能属 2023 或 2025 年名单 / year doubtful: probably of the 2023 or 2025 list, "
                f"not 2024; {sources}"
            )
        else:
            row["source_note"] = sources
        row["verification_note"] = _check_note(c)
    missing = [r for r in check if r["status"] == "missing_in_project"]
    if [r["name_official"] for r in missing] != list(NC2024_MISSING):
        raise ValueError("NC2024_MISSING out of step with the check file")
    x_taken = [row["cluster_id"] for row in rows if row["cluster_id"].startswith("NC2024-X")]
    for k, c in enumerate(missing, start=len(x_taken) + 1):
        m = NC2024_MISSING[c["name_official"]]
        extra = m.extra
        provinces = [regions.province(p) for p in extra.provinces]
        members = [regions.prefecture(city, set(provinces)) for city in extra.cities]
        rows.append(
            {
                "cluster_id": f"NC2024-X{k:02d}",
                "name_zh": m.name_zh,
                "name_en": extra.name_en,
                "tier": "national",
                "batch_year": "2024",
                "field": extra.field,
                "field_zh": FIELDS.get(extra.field, ""),
                "member_regions": _join(members),
                "provinces": _join(provinces),
                "leading_industries": _check_leading(m.name_zh, extra.leading, classes),
                "leading_industries_basis": LEADING_INDUSTRIES_BASIS,
                "verification": m.verification,
                "source_note": c["source_url_or_repo"],
                "field_basis": FIELD_BASIS_INFERRED,
                "regions_note": extra.regions_note,
                "verification_note": _check_note(c),
            }
        )
    return rows


def _check_note(c: dict[str, str]) -> str:
    note = f"check {CHECK_DATE}: {c['status']}"
    return f"{note}; {c['note']}" if c["note"] else note


#: English names of the rows whose Chinese name the check corrected
NAME_EN_CORRECTED = {"NC2021-15": "Zhuzhou Advanced Rail Transit Equipment Cluster"}


# ---------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------


def build_rows() -> list[dict[str, str]]:
    """Return the clusters table as a list of dicts (in output order)."""
    regions = Regions()
    classes = _industry_classes()
    out: list[dict[str, str]] = []

    # --- the 45 national clusters -----------------------------------------------------------
    national = _read("national_clusters_45.csv")
    if len(national) != 45:
        raise ValueError(f"expected 45 national clusters, got {len(national)}")
    seen_names = {r["name_zh"] for r in national}
    if seen_names != set(NATIONAL_EXTRA):
        raise ValueError(f"NATIONAL_EXTRA out of step: {seen_names ^ set(NATIONAL_EXTRA)}")
    counters: dict[str, int] = {}
    for r in national:
        year = r["batch"]
        counters[year] = counters.get(year, 0) + 1
        provinces = [regions.province(p) for p in r["provinces"].split(";")]
        members: list[str] = []
        notes: list[str] = []
        for city in r["cities"].split(";"):
            if city.startswith("(") and city.endswith(")"):
                vague = city.strip("()")
                notes.append(
                    f"{vague} member cities not known: {vague} "
                    f"({regions.province(vague)}) is listed as a province only"
                )
                continue
            members.append(regions.prefecture(city, set(provinces)))
        if not members:
            raise ValueError(f"{r['name_zh']}: no member region resolved")
        name_en, leading = NATIONAL_EXTRA[r["name_zh"]]
        out.append(
            {
                "cluster_id": f"NC{year}-{counters[year]:02d}",
                "name_zh": r["name_zh"],
                "name_en": name_en,
                "tier": "national",
                "batch_year": year,
                "field": FIELD_BY_ZH[r["field"]],
                "field_zh": r["field"],
                "member_regions": _join(members),
                "provinces": _join(provinces),
                "leading_industries": _check_leading(r["name_zh"], leading, classes),
                "leading_industries_basis": LEADING_INDUSTRIES_BASIS,
                "verification": r["verification"],
                "source_note": r["source_note"],
                "field_basis": FIELD_BASIS_LIST,
                "regions_note": "; ".join(notes),
            }
        )

    # --- 2024 national additions ------------------------------------------------------------
    added = _read("national_clusters_2024_partial.csv")
    if {r["name_zh"] for r in added} != set(NC2024_EXTRA):
        raise ValueError("NC2024_EXTRA out of step with national_clusters_2024_partial.csv")
    unknown_position = 0
    for r in added:
        extra = NC2024_EXTRA[r["name_zh"]]
        if r["seq_in_list"]:
            cid = f"NC2024-{int(r['seq_in_list']):02d}"
        else:
            unknown_position += 1
            cid = f"NC2024-X{unknown_position:02d}"
        provinces = [regions.province(p) for p in extra.provinces]
        members = [regions.prefecture(c, set(provinces)) for c in extra.cities]
        member_provinces = {m[:2] + "0000" for m in members}
        if not member_provinces <= set(provinces):
            raise ValueError(f"{r['name_zh']}: member outside listed provinces")
        source = r["source_note"]
        if source == "same":
            source = added[0]["source_note"]
        out.append(
            {
                "cluster_id": cid,
                "name_zh": r["name_zh"],
                "name_en": extra.name_en,
                "tier": "national",
                "batch_year": "2024",
                "field": extra.field,
                "field_zh": FIELDS.get(extra.field, ""),
                "member_regions": _join(members),
                "provinces": _join(provinces),
                "leading_industries": _check_leading(r["name_zh"], extra.leading, classes),
                "leading_industries_basis": LEADING_INDUSTRIES_BASIS,
                "verification": "partial",
                "source_note": source,
                "field_basis": FIELD_BASIS_INFERRED,
                "regions_note": extra.regions_note,
            }
        )

    # --- 2024 SME characteristic clusters --------------------------------------------------
    sme = _read("sme_characteristic_clusters_2024_partial.csv")
    if {r["name_zh"] for r in sme} != set(SME_EXTRA):
        raise ValueError("SME_EXTRA out of step with sme_characteristic_clusters_2024_partial.csv")
    for i, r in enumerate(sme, start=1):
        name_en, field, leading = SME_EXTRA[r["name_zh"]]
        county = regions.county(r["province"], r["city"], r["county"])
        out.append(
            {
                "cluster_id": f"SME2024-{i:02d}",
                "name_zh": r["name_zh"],
                "name_en": name_en,
                "tier": "sme_characteristic",
                "batch_year": "2024",
                "field": field,
                "field_zh": FIELDS.get(field, ""),
                "member_regions": county,
                "provinces": county[:2] + "0000",
                "leading_industries": _check_leading(r["name_zh"], leading, classes),
                "leading_industries_basis": LEADING_INDUSTRIES_BASIS,
                "verification": "partial",
                "source_note": (
                    "MIIT 2024 national SME characteristic industrial cluster list "
                    f"(partial copy, 20 of 100); product: {r['product']}"
                ),
                "field_basis": FIELD_BASIS_INFERRED,
                "regions_note": "member region is the county-level unit",
            }
        )

    out = apply_check(out, regions, classes)
    ids = [row["cluster_id"] for row in out]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate cluster_id")
    return out


def render(rows: list[dict[str, str]]) -> str:
    """Render rows as CSV text (UTF-8, LF line ends, minimal quoting)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if clusters.csv is stale")
    args = parser.parse_args(argv)
    text = render(build_rows())
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date; run without --check", file=sys.stderr)
            return 1
        print(f"{OUT} is up to date")
        return 0
    OUT.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {OUT} ({text.count(chr(10)) - 1} clusters)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Build ``src/jiqun/reference/data/nbs_io_detailed_to_gbt4754.csv`` and check it against the tables.

The detailed NBS input–output tables (2017: 149 sectors; 2018 and 2020: one list of 153
sectors) name their sectors in Chinese but carry no GB/T 4754 codes. This script assigns each
detailed sector the GB/T 4754-2017 divisions, groups or classes its name covers (the
judgement is the table :data:`MAP153` below, one line per sector with its reason), takes the
sector names from the tables themselves, and checks:

1. every code exists in ``gbt4754_2017_codes.csv``; within one classification every class of
   divisions 01–96 lies under exactly one detailed sector (97 国际组织 is outside the resident
   economy);
2. every detailed sector's codes lie inside the divisions of its parent among the 42 sectors
   (``nbs42_to_gbt4754``: ``nbs_io42_to_gbt4754.csv``), and each 42 sector's divisions are
   exactly the union of its detailed sectors' divisions;
3. **against the data**: for each year, the detailed sectors' gross output ``GO``, total
   intermediate use ``TIU``, total input ``TI`` and value added ``TVA``, summed by parent,
   equal the 42-sector table of the same year (``TIU``: domestic plus imported rows, since the
   42-sector table is non-competitive and the detailed one competitive). The maximum relative
   difference per year and quantity is printed.

When every check passes, the detailed file is written and each 42-sector row whose nesting the
totals confirm gets ``verification = checked-against-tables`` (the row's *division* list still
rests on the names; what the totals pin is which detailed sectors make up the 42 sector).

Run from the repository root, with the NBS tables at ``$JIQUN_SHARED_DATASETS/real_cn/
io_tables_nbs`` (they are not part of the repository)::

    uv run --frozen python scripts/build_nbs_io_detailed_mapping.py          # check and write
    uv run --frozen python scripts/build_nbs_io_detailed_mapping.py --check  # fail if stale

References
----------
- 国家统计局国民经济核算司《2017年中国投入产出表编制方法》, 中国统计出版社: 附件1
  「2017年投入产出产品部门分类名称及代码」, 附件2「2017年投入产出部门分类解释」.
- GB/T 4754-2017《国民经济行业分类》 (``src/jiqun/reference/data/gbt4754_2017_codes.csv``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "jiqun" / "reference" / "data"
OUT = DATA / "nbs_io_detailed_to_gbt4754.csv"
IO42 = DATA / "nbs_io42_to_gbt4754.csv"

#: 2018/2020 list (153 sectors): io code → (42-sector parent, GB/T 4754-2017 codes, basis, note).
#: basis: ``name`` (the sector name is the name of the code(s), up to 产品/品/制造/业),
#: ``name-stated`` (the name lists or paraphrases the codes' names), ``judgement`` (a code the
#: name does not settle is placed here; the note says which and why).
MAP153: dict[str, tuple[str, str, str, str]] = {
    "001": ("01", "01", "name", ""),
    "002": ("01", "02", "name", ""),
    "003": ("01", "03", "name", ""),
    "004": ("01", "04", "name", ""),
    "005": ("01", "05", "name-stated", "服务产品 = 专业及辅助性活动"),
    "006": ("02", "06", "name", ""),
    "007": ("03", "07", "name", ""),
    "008": ("04", "08", "name", ""),
    "009": ("04", "09", "name", ""),
    "010": ("05", "10", "name", ""),
    "011": ("05", "11 12", "name-stated", "开采辅助活动 = 11; 其他采矿 = 12"),
    "012": ("06", "131", "name", ""),
    "013": ("06", "132", "name", ""),
    "014": ("06", "133", "name", ""),
    "015": (
        "06",
        "134",
        "judgement",
        "134 制糖业; 142 糖果、巧克力及蜜饯 placed in 其他食品, not here (the name does not settle it)",
    ),
    "016": ("06", "135", "name", ""),
    "017": ("06", "136", "name-stated", ""),
    "018": ("06", "137 139", "name-stated", ""),
    "019": ("06", "143", "name", ""),
    "020": ("06", "144", "name", ""),
    "021": ("06", "146", "name", ""),
    "022": (
        "06",
        "141 142 145 149",
        "judgement",
        "the rest of division 14 (焙烤, 糖果, 罐头, 其他)",
    ),
    "023": ("06", "151", "name-stated", "151 酒的制造 includes 1511 酒精制造"),
    "024": ("06", "152", "name", ""),
    "025": ("06", "153", "name", ""),
    "026": ("06", "16", "name", ""),
    "027": ("07", "171 175", "name-stated", ""),
    "028": ("07", "172", "name", ""),
    "029": ("07", "173 174", "name-stated", ""),
    "030": ("07", "176", "name-stated", ""),
    "031": ("07", "177 178", "name-stated", ""),
    "032": ("08", "18", "name", ""),
    "033": ("08", "191 192 193 194", "name-stated", ""),
    "034": ("08", "195", "name-stated", ""),
    "035": ("09", "20", "name", ""),
    "036": ("09", "21", "name", ""),
    "037": ("10", "22", "name", ""),
    "038": ("10", "23", "name", ""),
    "039": ("10", "243", "name-stated", ""),
    "040": ("10", "241 242 244 245 246", "name-stated", ""),
    "041": (
        "11",
        "251 253 254",
        "judgement",
        "254 生物质燃料加工 (new in GB/T 4754-2017) placed here, not in 煤炭加工品",
    ),
    "042": ("11", "252", "name", ""),
    "043": ("12", "261", "name", ""),
    "044": ("12", "262", "name", ""),
    "045": ("12", "263", "name", ""),
    "046": ("12", "264", "name", ""),
    "047": ("12", "265", "name", ""),
    "048": ("12", "266 267", "name-stated", ""),
    "049": ("12", "268", "name", ""),
    "050": ("12", "27", "name-stated", ""),
    "051": ("12", "28", "name-stated", ""),
    "052": ("12", "291", "name", ""),
    "053": ("12", "292", "name", ""),
    "054": ("13", "301", "name", ""),
    "055": ("13", "302", "name", ""),
    "056": ("13", "303", "name", ""),
    "057": ("13", "304 305 306", "judgement", "306 玻璃纤维和玻璃纤维增强塑料制品 placed here"),
    "058": ("13", "307", "name", ""),
    "059": ("13", "308", "name", ""),
    "060": ("13", "309", "name", ""),
    "061": ("14", "312", "name-stated", "312 炼钢"),
    "062": ("14", "313", "name-stated", ""),
    "063": ("14", "311 314", "name-stated", "311 炼铁; 314 铁合金冶炼"),
    "064": ("14", "321 322 323 324", "name-stated", ""),
    "065": ("14", "325", "name", ""),
    "066": ("15", "33", "name", ""),
    "067": ("16", "341", "name", ""),
    "068": ("16", "342", "name", ""),
    "069": ("16", "343", "name", ""),
    "070": ("16", "344", "name", ""),
    "071": ("16", "346", "name", ""),
    "072": ("16", "347", "name", ""),
    "073": ("16", "345 348 349", "name-stated", "the rest of division 34"),
    "074": ("17", "351", "name", ""),
    "075": ("17", "352", "name", ""),
    "076": ("17", "357", "name", ""),
    "077": ("17", "358", "name", ""),
    "078": ("17", "353 354 355 356 359", "name-stated", "the rest of division 35"),
    "079": (
        "18",
        "361 363 364 365",
        "judgement",
        "363 改装汽车, 364 低速汽车, 365 电车 (whole vehicles) placed here",
    ),
    "080": ("18", "362 366 367", "judgement", "362 汽车用发动机 and 366 车身、挂车 placed here"),
    "081": ("18", "371 372", "name-stated", ""),
    "082": ("18", "373", "name", ""),
    "083": ("18", "374 375 376 377 378 379", "name-stated", "the rest of division 37"),
    "084": ("19", "381", "name", ""),
    "085": ("19", "382", "name", ""),
    "086": ("19", "383", "name", ""),
    "087": ("19", "384", "name", ""),
    "088": ("19", "385 386", "name-stated", ""),
    "089": ("19", "387 389", "judgement", "387 照明器具 placed here"),
    "090": ("20", "391", "name", ""),
    "091": ("20", "392", "name", ""),
    "092": ("20", "393 394", "name-stated", ""),
    "093": ("20", "395", "name-stated", ""),
    "094": ("20", "397 398", "name-stated", ""),
    "095": (
        "20",
        "396 399",
        "judgement",
        "396 智能消费设备 (new in GB/T 4754-2017) placed here",
    ),
    "096": ("21", "40", "name", ""),
    "097": ("22", "41", "name-stated", ""),
    "098": ("22", "42", "name-stated", ""),
    "099": ("23", "43", "name", ""),
    "100": ("24", "44", "name", ""),
    "101": ("25", "45", "name", ""),
    "102": ("26", "46", "name", ""),
    "103": ("27", "471", "name", ""),
    "104": ("27", "472 479", "name-stated", ""),
    "105": ("27", "481", "name", ""),
    "106": ("27", "482 483 484 485 486 487 489", "name-stated", "the rest of division 48"),
    "107": ("27", "49", "name", ""),
    "108": ("27", "50", "name-stated", ""),
    "109": ("28", "51", "name", ""),
    "110": ("28", "52", "name", ""),
    "111": ("29", "531", "name", ""),
    "112": ("29", "532 533", "name-stated", ""),
    "113": ("29", "541 542", "name-stated", ""),
    "114": ("29", "543 544", "name-stated", ""),
    "115": ("29", "551", "name", ""),
    "116": ("29", "552 553", "name-stated", ""),
    "117": ("29", "5611", "name", ""),
    "118": ("29", "5612 562 563", "judgement", "562 通用航空服务 placed here"),
    "119": ("29", "57", "name", ""),
    "120": ("29", "58", "name", ""),
    "121": ("29", "59", "name", ""),
    "122": ("29", "60", "name", ""),
    "123": ("30", "61", "name", ""),
    "124": ("30", "62", "name", ""),
    "125": ("31", "631", "name", ""),
    "126": ("31", "632 633", "name-stated", ""),
    "127": ("31", "64", "name", ""),
    "128": ("31", "651", "judgement", "651 软件开发; 652 集成电路设计 placed in 信息技术服务"),
    "129": ("31", "652 653 654 655 656 657 659", "judgement", "the rest of division 65"),
    "130": ("32", "66 69", "name-stated", "其他金融服务 = 69 其他金融业"),
    "131": ("32", "67", "name", ""),
    "132": ("32", "68", "name", ""),
    "133": ("33", "70", "name", ""),
    "134": ("34", "71", "name", ""),
    "135": ("34", "72", "name", ""),
    "136": ("35", "73", "name", ""),
    "137": ("36", "74", "name", ""),
    "138": ("36", "75", "name", ""),
    "139": ("37", "76", "name", ""),
    "140": ("37", "77", "name", ""),
    "141": ("37", "78 79", "name-stated", ""),
    "142": ("38", "80", "name", ""),
    "143": (
        "38",
        "81 82",
        "judgement",
        "81 机动车、电子产品和日用产品修理 placed here (no detailed sector names it)",
    ),
    "144": ("39", "83", "name", ""),
    "145": ("40", "84", "name", ""),
    "146": ("40", "85", "name", ""),
    "147": ("41", "86", "name", ""),
    "148": ("41", "87", "name-stated", ""),
    "149": ("41", "88", "name", ""),
    "150": ("41", "89", "name", ""),
    "151": ("41", "90", "name", ""),
    "152": ("42", "94", "name", ""),
    "153": ("42", "91 92 93 95 96", "name-stated", ""),
}

#: How the 2017 list (149) differs from the 2018/2020 list (153): the 2017 list has no
#: 烘炉、风机、包装等设备 (in 其他通用设备), no 医疗仪器设备及器械 (in 其他专用设备), and one 房屋建筑
#: and one 土木工程建筑 where 2018 splits each in two. Codes of the 2017 sectors with their own
#: assignment; every other 2017 sector has the same name, parent and codes as in 2018.
MAP149_OWN: dict[str, tuple[str, str, str, str]] = {
    "072": (
        "16",
        "345 346 348 349",
        "name-stated",
        "the rest of division 34 (incl. 346 烘炉、风机)",
    ),
    "076": (
        "17",
        "353 354 355 356 358 359",
        "name-stated",
        "the rest of division 35 (incl. 358 医疗)",
    ),
    "101": ("27", "47", "name", ""),
    "102": ("27", "48", "name", ""),
}

# the 2017 table's English descriptions of 105 批发 and 106 零售 are shifted (they read
# "Wholesale and retail trades" and "Railway transport"), so English names come from the
# 2018 list wherever the Chinese name is the same
_EN_FIX = {"Eentertainment": "Entertainment"}

TABLES = {
    "2017_149": ("china_2017_149.csv", [2017]),
    "2018_153": ("china_2018_153.csv", [2018, 2020]),
}


def _tables_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("JIQUN_SHARED_DATASETS")
    if not env:
        sys.exit("set JIQUN_SHARED_DATASETS or pass --tables DIR")
    return Path(env) / "real_cn" / "io_tables_nbs"


def _names(path: Path, n: int) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, usecols=["Code", "Description", "DescriptionInChinese"])
    return df.iloc[:n].set_index("Code")


def _norm(s: str) -> str:
    # punctuation and the suffixes 产品/品/制造/业/服务 do not change what a name covers
    s = s.replace("、", "")
    prev = None
    while prev != s:
        prev = s
        for suf in ("制造业", "制造", "产品", "品", "业", "服务", "加工"):
            s = s.removesuffix(suf)
    return s


def map149() -> dict[str, tuple[str, str, str, str]]:
    """The 2017 (149-sector) assignment derived from :data:`MAP153` and :data:`MAP149_OWN`."""
    keep = [c for c in MAP153 if c not in ("071", "077", "104", "106")]
    out: dict[str, tuple[str, str, str, str]] = {}
    for i, c153 in enumerate(keep, start=1):
        c = f"{i:03d}"
        out[c] = MAP149_OWN.get(c, MAP153[c153])
    return out


def build(tables: Path) -> pd.DataFrame:
    """The detailed mapping as a DataFrame (checks 1 and 2 run in :func:`check_codes`)."""
    codes = pd.read_csv(DATA / "gbt4754_2017_codes.csv", dtype=str, keep_default_na=False)
    name_of = dict(zip(codes["code"], codes["name"], strict=True))
    n153 = _names(tables / TABLES["2018_153"][0], 153)
    n2020 = _names(tables / "china_2020_153.csv", 153)
    if not n153.equals(n2020):
        sys.exit("the 2018 and 2020 detailed tables do not share one sector list")
    n149 = _names(tables / TABLES["2017_149"][0], 149)
    en_by_zh = dict(zip(n153["DescriptionInChinese"], n153["Description"], strict=True))
    rows = []
    for cls, mp, names in (("2017_149", map149(), n149), ("2018_153", MAP153, n153)):
        for c, (parent, cs, basis, note) in mp.items():
            zh = names.loc[c, "DescriptionInChinese"]
            en = en_by_zh.get(zh, names.loc[c, "Description"])
            gb = cs.split()
            if basis == "name":
                # the claim "name" is itself checked: one code whose name is the sector's
                ok = len(gb) == 1 and _norm(zh) == _norm(name_of[gb[0]])
                if not ok:
                    sys.exit(f"{cls} {c} {zh}: not a name match with {cs}")
            rows.append(
                {
                    "classification": cls,
                    "io_code": c,
                    "io_name_zh": zh,
                    "io_name_en": _EN_FIX.get(en, en),
                    "io42_sector": parent,
                    "gbt4754_codes": cs,
                    "gbt4754_names": "；".join(name_of[g] for g in gb),
                    "verification": basis,
                    "note": note,
                }
            )
    return pd.DataFrame(rows)


def check_codes(m: pd.DataFrame) -> None:
    """Checks 1 and 2 (codes, partition, nesting in the 42 sectors); exits on failure."""
    codes = pd.read_csv(DATA / "gbt4754_2017_codes.csv", dtype=str, keep_default_na=False)
    classes = codes.loc[(codes["level"] == "4") & (codes["code"].str[:2] != "97"), "code"]
    io42 = pd.read_csv(IO42, dtype=str, keep_default_na=False).set_index("io_sector")
    for cls, g in m.groupby("classification"):
        prefixes = [(r.io_code, p) for r in g.itertuples() for p in r.gbt4754_codes.split()]
        unknown = [p for _, p in prefixes if p not in set(codes["code"])]
        if unknown:
            sys.exit(f"{cls}: unknown codes {unknown}")
        hits = {c: [s for s, p in prefixes if c.startswith(p)] for c in classes}
        bad = {c: s for c, s in hits.items() if len(s) != 1}
        if bad:
            sys.exit(f"{cls}: classes not under exactly one sector: {bad}")
        for r in g.itertuples():
            divs = set(io42.loc[r.io42_sector, "gbt4754_divisions"].split())
            if not {p[:2] for p in r.gbt4754_codes.split()} <= divs:
                sys.exit(f"{cls} {r.io_code}: codes outside 42-sector {r.io42_sector}")
        for s, gg in g.groupby("io42_sector"):
            union = {p[:2] for cs in gg["gbt4754_codes"] for p in cs.split()}
            if union != set(io42.loc[s, "gbt4754_divisions"].split()):
                sys.exit(f"{cls}: 42-sector {s} divisions differ from its detailed sectors")
        print(f"{cls}: {len(g)} sectors, {len(classes)} classes each under exactly one sector")


def check_totals(m: pd.DataFrame, tables: Path) -> pd.DataFrame:
    """Check 3: totals by parent against the 42-sector table; one row per year and quantity."""
    out = []
    for cls, (_, years) in TABLES.items():
        par = m[m["classification"] == cls].set_index("io_code")["io42_sector"]
        for y in years:
            n = 149 if cls == "2017_149" else 153
            d = pd.read_csv(tables / f"china_{y}_{n}.csv", dtype={"Code": str}).set_index("Code")
            t = pd.read_csv(tables / f"china_{y}_42.csv", dtype={"Code": str})
            dom = t[t["Origin"] == "Domestic"].set_index("Code")
            imp = t[t["Origin"] == "Imports"].set_index("Code")
            tot = t[t["Origin"] == "TOT"].set_index("Code")
            s42 = [f"{i:02d}" for i in range(1, 43)]
            ix = list(par.index)
            pairs = {
                "GO": (d.loc[ix, "GO"], dom["GO"]),
                "TIU": (d.loc[ix, "TIU"], dom["TIU"] + imp["TIU"]),
                "TI": (d.loc["TI", ix], tot.loc["TI", s42]),
                "TVA": (d.loc["TVA", ix], tot.loc["TVA", s42]),
            }
            for q, (det, agg) in pairs.items():
                summed = det.astype(float).groupby(par.to_numpy()).sum()
                agg = agg.astype(float)
                rel = ((summed - agg).abs() / agg.abs()).reindex(s42)
                out.append(
                    {
                        "year": y,
                        "classification": cls,
                        "quantity": q,
                        "max_rel_diff": float(rel.max()),
                        "sector_of_max": str(rel.idxmax()),
                        "total_trillion_yuan": float(agg.sum()) / 1e8 if q == "GO" else None,
                    }
                )
    return pd.DataFrame(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", help="directory with china_YYYY_NN.csv (default from env)")
    ap.add_argument("--check", action="store_true", help="fail if the shipped files are stale")
    args = ap.parse_args()
    tables = _tables_dir(args.tables)
    m = build(tables)
    check_codes(m)
    res = check_totals(m, tables)
    print(res.to_string(index=False))
    if (res["max_rel_diff"] > 1e-9).any():
        sys.exit("totals do not nest: the parent assignment is wrong somewhere")
    io42 = pd.read_csv(IO42, dtype=str, keep_default_na=False)
    # every 42 row is confirmed by all three years' totals (the check above is all-or-nothing)
    io42["verification"] = "checked-against-tables"
    text = m.to_csv(index=False, lineterminator="\n")
    text42 = io42.to_csv(index=False, lineterminator="\n")
    if args.check:
        stale = [p.name for p, t in ((OUT, text), (IO42, text42)) if p.read_text("utf-8") != t]
        if stale:
            sys.exit(f"stale: {stale}; run without --check")
        print("up to date")
        return 0
    OUT.write_text(text, encoding="utf-8")
    IO42.write_text(text42, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(m)} rows) and updated {IO42.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Real inputs of the demo generator: the shipped reference data (regions, classes, clusters),
the optional classification crosswalks and the chain templates, and the place and class words
derived from their names."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pandas as pd

from jiqun.demo.tables import CLASS_WORDS


def _data_file(name: str) -> Any:
    return resources.files("jiqun.reference").joinpath("data", name)


def load_reference() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(regions, industries, clusters) from :mod:`jiqun.reference`, else its CSV files."""
    try:
        from jiqun import reference as ref

        regions = ref.regions()
        industries = ref.industries()
        clusters = ref.clusters()
    except (ImportError, AttributeError):
        with _data_file("admin_divisions_cn_2023.csv").open("rb") as f:
            regions = pd.read_csv(f, dtype=str)
        with _data_file("gbt4754_2017_codes.csv").open("rb") as f:
            industries = pd.read_csv(f, dtype=str)
        with _data_file("clusters.csv").open("rb") as f:
            clusters = pd.read_csv(f, dtype=str, keep_default_na=False)
    regions = regions.copy()
    for c in ("code", "parent_code", "province_code", "level", "name"):
        regions[c] = regions[c].astype(object).where(regions[c].notna(), None)
    for c in ("lon", "lat"):
        regions[c] = pd.to_numeric(regions[c], errors="coerce")
    industries = industries.copy()
    industries["code"] = industries["code"].astype(str)
    industries["level"] = pd.to_numeric(industries["level"]).astype(int)
    return regions, industries, clusters.copy()


def optional_csv(name: str) -> pd.DataFrame | None:
    try:
        with _data_file(name).open("rb") as f:
            return pd.read_csv(f, dtype=str)
    except (FileNotFoundError, OSError):
        return None


def _draft_chains() -> list[dict[str, Any]]:
    """The chains of the first shipped ``chain_templates*.yaml`` draft of :mod:`jiqun.reference`."""
    import yaml

    base = resources.files("jiqun.reference").joinpath("data")
    names = sorted(p.name for p in base.iterdir() if re.match(r"chain_templates.*\.ya?ml$", p.name))
    if not names:
        return []
    doc = yaml.safe_load(base.joinpath(names[0]).read_text(encoding="utf-8")) or {}
    return [chain for chain in doc.values() if isinstance(chain, dict)]


def chain_templates() -> list[dict[str, list[str]]]:
    """Chain templates as {position: [4-digit classes]} (only files shipped with the package)."""
    chains: list[dict[str, list[str]]] = []
    for chain in _draft_chains():
        out: dict[str, list[str]] = {}
        for pos in ("upstream", "midstream", "downstream"):
            codes: list[str] = []
            for seg in chain.get(pos) or []:
                for code in seg.get("gbt4754") or []:
                    c = re.sub(r"^[A-Z]", "", str(code))
                    if len(c) == 4 and c not in codes:
                        codes.append(c)
            out[pos] = codes
        chains.append(out)
    return chains


def chain_segment_words() -> dict[str, list[str]]:
    """Product words per class from the chain-template segment names."""
    words: dict[str, list[str]] = {}
    for chain in _draft_chains():
        for pos in ("upstream", "midstream", "downstream"):
            for seg in chain.get(pos) or []:
                name = re.sub(r"[（(].*?[）)]", "", str(seg.get("segment", "")))
                parts = [p.strip() for p in re.split(r"[/、]", name) if 2 <= len(p.strip()) <= 8]
                for code in seg.get("gbt4754") or []:
                    c = re.sub(r"^[A-Z]", "", str(code))
                    words.setdefault(c, [])
                    words[c] += [p for p in parts if p not in words[c]]
    return words


_ETHNIC = (
    "朝鲜|土家|苗|侗|布依|藏|羌|彝|傣|景颇|白|哈尼|壮|傈僳|回|蒙古|哈萨克|柯尔克孜|黎|瑶|"
    "水|仫佬|毛南|仡佬|纳西|普米|怒|独龙|阿昌|德昂|拉祜|佤|基诺|布朗|裕固|撒拉|土|东乡|保安"
)
_AUTONOMOUS_RE = re.compile(rf"(?:(?:{_ETHNIC})族?)+自治州$")


def short_place(name: str) -> str:
    """城市简称: 无锡市 → 无锡, 延边朝鲜族自治州 → 延边, 阿里地区 → 阿里, 锡林郭勒盟 → 锡林郭勒."""
    s = _AUTONOMOUS_RE.sub("", name)
    if s != name and len(s) >= 2:
        return s
    for suf in ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "地区", "林区"):
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    if name[-1:] in ("省", "市", "盟", "县", "区", "旗") and len(name) >= 3:
        return name[:-1]
    return name


def class_word(name: str, code: str = "") -> str:
    """Industry word of a class name for firm names: 集成电路制造 → 集成电路."""
    if code in CLASS_WORDS:
        return CLASS_WORDS[code]
    w = name
    if w.startswith("其他"):
        w = w[2:]
    w = re.split(r"[及和、，,（(]", w)[0]
    for suf in (
        "专用设备制造",
        "制造",
        "加工",
        "生产和供应",
        "生产",
        "服务",
        "活动",
        "批发",
        "零售",
    ):
        if w.endswith(suf) and len(w) - len(suf) >= 2:
            w = w[: -len(suf)]
            break
    if len(w) == 1:
        w += "业"
    if len(w) < 2:
        w = name[:4]
    return w[:8]


def products_from_sei(sei: pd.DataFrame | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if sei is None or "key_products" not in sei:
        return out
    for code, txt in zip(sei["gbt4754_code"], sei["key_products"], strict=True):
        if not isinstance(txt, str):
            continue
        txt = re.sub(r"[（(][^）)]*[）)]", "", txt)
        items = [t.strip() for t in re.split(r"[；;、，,]", txt)]
        lst = out.setdefault(str(code), [])
        for t in items:
            if 2 <= len(t) <= 10 and "等" not in t and t not in lst and len(lst) < 8:
                lst.append(t)
    return out

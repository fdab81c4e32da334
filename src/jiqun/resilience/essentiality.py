"""Input essentiality matrices for the ESRI cascade: Jiqun's rule-based default and user matrices.

An essentiality matrix ``E`` is indexed by the **supplying** industry (rows) and the **using**
industry (columns); ``E_kl`` is 2 when inputs of ``k`` are *essential* for producing ``l`` (their
loss stops production, Leontief), 1 when *non-essential* (production falls linearly with the
lost share of inputs) and 0 when *irrelevant* in the short run (Diem et al. 2022).

Jiqun's default (:func:`default_essentiality`) is **not survey-based**. It is built from the rule
table below at GB/T 4754-2017 division (2-digit) level, and every output that uses it says so
(:data:`DEFAULT_BASIS`). Rules, first match wins, for supplying division ``k`` and using ``l``:

1. **Essential (2), core material or component** — ``k`` is listed in :data:`CORE_INPUTS` for
   ``l``: the divisions whose goods are physically transformed or assembled into ``l``'s
   products (e.g. 36 汽车制造 ← 31 钢铁, 32 有色, 29 橡胶塑料, 36 汽车零部件, 38 电气机械 (batteries,
   motors), 39 电子器件; 39 电子 ← 26 电子化学品, 30 玻璃陶瓷基板, 32 有色金属, 39 元器件).
2. **Essential (2), energy** — ``k`` = 44 电力、热力 for every user in sections B 采矿, C 制造,
   D 电热燃水, G 交通运输 and I 信息传输软件 (no production without power in the short run);
   ``k`` = 25 石油煤炭加工 (fuels) for 54 道路, 55 水上 and 56 航空运输.
3. **Irrelevant (0)** — ``k`` in sections E 建筑业, H 住宿餐饮, J 金融, K 房地产, L 租赁和商务服务,
   M 科学研究和技术服务, N 水利环境公共设施, O 居民服务修理, P 教育, Q 卫生社会工作, R 文体娱乐,
   S 公共管理, T 国际组织 (services and works that do not enter the production process within the
   horizon of a supply shock), and the capital-goods divisions 34 通用设备, 35 专用设备,
   37 铁路船舶航空航天, 40 仪器仪表 unless rule 1 lists them (installed equipment keeps working).
4. **Non-essential (1)** — every other input: goods of sections A 农林牧渔, B 采矿, C 制造, D 电热燃水,
   distribution F 批发零售, logistics G 交通运输仓储邮政 and information services I.

The proportions come close to the survey-based NACE matrix of Diem et al. (2022) in spirit
(most inputs irrelevant in the short run, a minority essential), but not in detail.

**Stated alternative: input–output coefficients.** :func:`io_essentiality` builds the matrix
from the technical coefficients of a user-supplied NBS 42-sector input–output table (2 when an
input is at least 5 fen per yuan of the user's output, 1 from 0.5 fen, else 0), with its basis in
``attrs["basis"]`` (:func:`io_basis`). It is data-based but measures the size of an input, not how
critical it is; see ``docs/inputoutput.md``.

A user matrix (e.g. the survey-based NACE matrix of Diem et al., or a chain-specific one) is
accepted by :func:`check_essentiality` / :func:`load_essentiality`; the cascade looks up a
firm's industry exactly and otherwise by its longest prefix among the matrix labels, so a
division-level matrix serves 4-digit classes.

References
----------
- Diem, C., Borsos, A., Reisch, T., Kertész, J. & Thurner, S. (2022). Quantifying firm-level
  economic systemic risk from nation-wide supply networks. *Scientific Reports* 12, 7719.
- Pichler, A., Pangallo, M., del Rio-Chanona, R. M., Lafond, F. & Farmer, J. D. (2022).
  Forecasting the propagation of pandemic shocks with a dynamic input-output model. *Journal
  of Economic Dynamics and Control* 144, 104527 (IHS Markit input criticality survey).
- GB/T 4754-2017《国民经济行业分类》 (division list: :mod:`jiqun.reference`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from jiqun import reference
from jiqun.inputoutput.sectors import io_coefficients, io_sector_weights
from jiqun.resilience.network import fmt_number
from jiqun.standard.problems import JiqunError

__all__ = [
    "CAPITAL_GOODS",
    "CORE_INPUTS",
    "DEFAULT_BASIS",
    "check_essentiality",
    "default_essentiality",
    "io_basis",
    "io_essentiality",
    "load_essentiality",
    "resolve_industries",
]

#: Basis string attached to the default matrix and to every output computed with it.
DEFAULT_BASIS = (
    "Jiqun default essentiality v1: GB/T 4754-2017 division-level rule table "
    "(core materials/components and energy = 2; services, works and capital goods = 0; "
    "other goods, distribution, logistics, ICT = 1); "
    "rule-based, not survey-based / 默认投入必要性矩阵（按规则生成，非调查数据）"
)

#: Rule 1: using division → supplying divisions whose goods are core materials or components.
CORE_INPUTS: dict[str, tuple[str, ...]] = {
    # A agriculture
    "01": ("26",),  # fertiliser, pesticides
    "03": ("01", "13"),  # feed
    "04": ("13",),
    # B mining: energy only (rule 2)
    # C manufacturing
    "13": ("01", "03", "04"),
    "14": ("01", "03", "13"),
    "15": ("01", "13"),
    "16": ("01",),
    "17": ("01", "03", "17", "28"),
    "18": ("17",),
    "19": ("03", "19"),
    "20": ("02",),
    "21": ("20", "22"),
    "22": ("02", "20", "22"),
    "23": ("22",),
    "24": ("22", "29"),
    "25": ("06", "07"),
    "26": ("07", "10", "25", "26"),
    "27": ("26", "27"),
    "28": ("25", "26"),
    "29": ("26",),
    "30": ("10", "30"),
    "31": ("06", "08", "25"),
    "32": ("09", "32"),
    "33": ("31", "32"),
    "34": ("31", "32", "33", "34"),
    "35": ("31", "33", "34", "35", "38", "39"),
    "36": ("29", "31", "32", "36", "38", "39"),
    "37": ("31", "32", "34", "37", "38", "39"),
    "38": ("26", "31", "32", "38"),
    "39": ("26", "30", "32", "39"),
    "40": ("33", "39", "40"),
    "43": ("33", "34", "35"),
    # D utilities
    "44": ("06", "07", "25"),
    "45": ("07", "25"),
    # E construction
    "47": ("30", "31", "33"),
    "48": ("30", "31", "33"),
    "49": ("31", "33", "38"),
    "50": ("30", "31"),
}

_ENERGY_USERS_SECTIONS = frozenset("BCDGI")
_FUEL_USERS = frozenset({"54", "55", "56"})
_IRRELEVANT_SECTIONS = frozenset("EHJKLMNOPQRST")
#: capital goods: irrelevant in the short run unless a core input (rule 3)
CAPITAL_GOODS = frozenset({"34", "35", "37", "40"})


def _divisions() -> pd.DataFrame:
    ind = reference.industries()
    div = ind.loc[ind["level"] == 2, ["code", "section"]].sort_values("code")
    return div.reset_index(drop=True)


def _division_matrix() -> pd.DataFrame:
    div = _divisions()
    codes = div["code"].tolist()
    section = dict(zip(div["code"], div["section"], strict=True))
    n = len(codes)
    E = np.ones((n, n), dtype=np.int8)
    pos = {c: i for i, c in enumerate(codes)}
    # Rule 3 is applied first and rules 1–2 overwrite it: "first match wins" in the docstring
    # order, since a core or energy input is never irrelevant.
    for k in codes:
        if section[k] in _IRRELEVANT_SECTIONS or k in CAPITAL_GOODS:
            E[pos[k], :] = 0
    for l_code in codes:
        if section[l_code] in _ENERGY_USERS_SECTIONS:
            E[pos["44"], pos[l_code]] = 2
        if l_code in _FUEL_USERS:
            E[pos["25"], pos[l_code]] = 2
        for k in CORE_INPUTS.get(l_code, ()):
            E[pos[k], pos[l_code]] = 2
    out = pd.DataFrame(E, index=pd.Index(codes, name="supplier"), columns=pd.Index(codes))
    out.columns.name = "user"
    out.attrs["basis"] = DEFAULT_BASIS
    return out


def _division_of(code: str) -> str:
    c = str(code).strip()
    if len(c) > 1 and c[0].isalpha() and c[1:].isdigit():
        c = c[1:]  # a section letter in front of a numeric code (C3670)
    if len(c) < 2 or not c[:2].isdigit():
        raise JiqunError(
            f"行业代码 {code!r} 无法对应到 GB/T 4754 大类（需要 2–4 位数字代码）",
            f"industry code {code!r} does not map to a GB/T 4754 division (2–4 digits needed)",
        )
    return c[:2]


def default_essentiality(codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Jiqun's default GB/T 4754 essentiality matrix, built from documented rules.

    ``E_kl ∈ {0, 1, 2}`` for supplying industry ``k`` (row) and using industry ``l`` (column),
    from the rule table of this module (core materials/components and energy → 2; services,
    works and capital goods → 0; other goods, distribution, logistics and ICT → 1).
    **Rule-based, not survey-based**: the basis
    string is in ``result.attrs["basis"]`` (:data:`DEFAULT_BASIS`) and every ESRI/scenario
    output that used it repeats it.

    Source: Jiqun rule table (this module); categories 0/1/2 as in Diem et al. (2022).

    Parameters
    ----------
    codes:
        Industry codes to cover (GB/T 4754-2017, 2–4 digits; a leading section letter is
        ignored). Each code takes the row/column of its division. Default: the 97 divisions.

    Returns
    -------
    pandas.DataFrame
        ``int8`` matrix, rows = supplying, columns = using industries.

    References
    ----------
    Diem et al. (2022), *Sci. Rep.* 12, 7719; GB/T 4754-2017.

    Example
    -------
    >>> E = default_essentiality(["3670", "3841", "4411", "8310"])
    >>> int(E.loc["3841", "3670"]), int(E.loc["4411", "3670"]), int(E.loc["8310", "3670"])
    (2, 2, 0)
    """
    base = _division_matrix()
    if codes is None:
        return base
    codes = [str(c) for c in dict.fromkeys(codes)]
    divs = [_division_of(c) for c in codes]
    unknown = sorted(set(divs) - set(base.index))
    if unknown:
        raise JiqunError(
            f"不存在的 GB/T 4754 大类：{fmt_number(unknown)}",
            f"no such GB/T 4754 division: {fmt_number(unknown)}",
        )
    out = pd.DataFrame(
        base.loc[divs, divs].to_numpy(),
        index=pd.Index(codes, name="supplier"),
        columns=pd.Index(codes, name="user"),
    )
    out.attrs["basis"] = DEFAULT_BASIS
    return out


def io_basis(
    essential: float, relevant: float, source: str = "", classification: str = "nbs42"
) -> str:
    """The basis string of an :func:`io_essentiality` matrix (thresholds and table named)."""
    src = f" ({source})" if source else ""
    n = {"2017_149": "149", "2018_153": "153"}.get(classification, "42")
    return (
        f"IO-based essentiality: technical coefficients a_kl of an NBS {n}-sector input-output "
        f"table{src}, by IO sector of each GB/T 4754 division; 2 if a_kl >= {essential:g}, "
        f"1 if a_kl >= {relevant:g}, else 0; size of an input, not a survey of how critical it "
        f"is / 基于投入产出直接消耗系数的必要性矩阵（按{n}部门，系数≥{essential:g}为2，"
        f"≥{relevant:g}为1，否则为0；反映投入规模，非调查所得的关键程度）"
    )


def io_essentiality(
    A: pd.DataFrame,
    codes: Iterable[str] | None = None,
    *,
    essential: float = 0.05,
    relevant: float = 0.005,
    source: str = "",
) -> pd.DataFrame:
    """An essentiality matrix from input–output coefficients: the stated alternative to the rules.

    For supplying division ``k`` and using division ``l`` with NBS IO sectors ``s(k)``, ``s(l)``
    (shipped mapping ``reference/data/nbs_io42_to_gbt4754.csv``; divisions from the sector
    names): ``E_kl = 2`` if ``a_s(k)s(l) ≥ essential``, ``1`` if ``≥ relevant``, else ``0``,
    where ``a`` are the technical coefficients ``z_ij / x_j``
    (:func:`jiqun.inputoutput.coefficients`) of a user-supplied table. Division 97 (no IO
    sector) is 0.

    With a 149/153-sector table (``reference/data/nbs_io_detailed_to_gbt4754.csv``) a division
    may span several detailed sectors: what ``k`` supplies is the **sum** of the rows of its
    sectors, and per yuan of ``l``'s output the **equal-weight mean** of the columns of ``l``'s
    sectors (:func:`jiqun.inputoutput.sectors.io_sector_weights`; the mapping carries no output
    shares). With the 42-sector table both are the one sector, as before.

    Basis and limits, repeated in ``attrs["basis"]``: the coefficient measures how **large** an
    input is per yuan of output, not how **critical** it is in the short run (Diem et al.
    2022 ask firms; Pichler et al. 2022 use the IHS criticality survey) — a small but
    indispensable input (e.g. 电力 into 交通运输设备, a ≈ 0.008–0.009 in the NBS 2017–2020 tables)
    gets 1 where the rule table says 2; all divisions of one IO sector share a value (42
    sectors are coarse). The thresholds are Jiqun's choice (5 fen and 0.5 fen per yuan of
    output).

    Parameters
    ----------
    A:
        Technical coefficients of an NBS 42-sector table (labels ``"01"``–``"42"``) or of a
        149/153-sector table (labels ``"001"``…).
    codes:
        Industry codes to cover (as in :func:`default_essentiality`); default the 97 divisions.
    essential, relevant:
        Thresholds on ``a`` for 2 and 1 (``essential > relevant ≥ 0``).
    source:
        Name of the table (e.g. ``"NBS 2020"``), written into the basis.

    Returns
    -------
    pandas.DataFrame
        ``int8`` matrix, rows = supplying, columns = using industries; ``attrs["basis"]``.

    Raises
    ------
    JiqunError
        When ``A`` is not a 42-, 149- or 153-sector matrix, or the thresholds are inconsistent.

    References
    ----------
    Miller & Blair (2009), *Input–Output Analysis*, 2nd ed., §2.2; Diem et al. (2022);
    Pichler et al. (2022).

    Example
    -------
    >>> ix = [f"{i:02d}" for i in range(1, 43)]
    >>> A = pd.DataFrame(0.0, index=ix, columns=ix)
    >>> A.loc["14", "18"], A.loc["24", "18"] = 0.09, 0.01
    >>> E = io_essentiality(A, ["3670", "3110", "4411", "8310"])
    >>> int(E.loc["3110", "3670"]), int(E.loc["4411", "3670"]), int(E.loc["8310", "3670"])
    (2, 1, 0)
    """
    if not 0 <= relevant < essential:
        raise JiqunError(
            f"阈值须满足 0 ≤ relevant < essential（得到 {relevant}, {essential}）",
            f"thresholds must satisfy 0 <= relevant < essential (got {relevant}, {essential})",
        )
    a, classification = io_coefficients(A, ("投入产出必要性", "input-output essentiality"))
    if codes is None:
        labels = _divisions()["code"].tolist()
        divs = labels
    else:
        labels = [str(c) for c in dict.fromkeys(codes)]
        divs = [_division_of(c) for c in labels]
        unknown = sorted(set(divs) - set(_divisions()["code"]))
        if unknown:
            raise JiqunError(
                f"不存在的 GB/T 4754 大类：{fmt_number(unknown)}",
                f"no such GB/T 4754 division: {fmt_number(unknown)}",
            )
    pos = {s: i for i, s in enumerate(a.index)}
    # supplier side: indicator of the division's sectors (rows add up); user side: their
    # weights (columns average). One sector per division (42 sectors): both pick that sector.
    R = np.zeros((len(divs), len(pos)))
    C = np.zeros((len(divs), len(pos)))
    for i, d in enumerate(divs):
        for s, v in io_sector_weights(d, classification).items():
            R[i, pos[s]] = 1.0
            C[i, pos[s]] = v
    vals = R @ a.to_numpy() @ C.T
    E = np.where(vals >= essential, 2, np.where(vals >= relevant, 1, 0)).astype(np.int8)
    unmapped = R.sum(axis=1) == 0
    E[unmapped, :] = 0
    E[:, unmapped] = 0
    out = pd.DataFrame(
        E, index=pd.Index(labels, name="supplier"), columns=pd.Index(labels, name="user")
    )
    out.attrs["basis"] = io_basis(essential, relevant, source, classification)
    return out


def check_essentiality(matrix: pd.DataFrame) -> pd.DataFrame:
    """Validate a user essentiality matrix and return it with string labels and ``int8`` values.

    Values must be 0, 1 or 2 (no missing values); labels unique. The matrix need not be
    square: rows are supplying industries, columns using industries.

    Source: input contract of Diem et al. (2022) (``ess_mat_sec``).

    Parameters
    ----------
    matrix:
        DataFrame indexed by supplying industry with using industries as columns.

    Returns
    -------
    pandas.DataFrame
        The validated copy; ``attrs["basis"]`` keeps an existing basis or says "user matrix".

    References
    ----------
    Diem et al. (2022).

    Example
    -------
    >>> import pandas as pd
    >>> E = check_essentiality(pd.DataFrame([[2, 1], [0, 2]], index=[1, 2], columns=[1, 2]))
    >>> list(E.index), E.to_numpy().tolist()
    (['1', '2'], [[2, 1], [0, 2]])
    """
    if not isinstance(matrix, pd.DataFrame):
        raise JiqunError(
            "essentiality 必须是 DataFrame（行 = 供应行业，列 = 使用行业）",
            "essentiality must be a DataFrame (rows supplying, columns using industries)",
        )
    E = matrix.copy()
    E.index = pd.Index([str(x).strip() for x in E.index], name="supplier")
    E.columns = pd.Index([str(x).strip() for x in E.columns], name="user")
    for axis, labels in (("行 rows", E.index), ("列 columns", E.columns)):
        if labels.has_duplicates:
            dup = labels[labels.duplicated()].unique()
            raise JiqunError(
                f"必要性矩阵的{axis.split()[0]}标签重复：{fmt_number(dup)}",
                f"duplicate {axis.split()[1]} labels in the essentiality matrix: {fmt_number(dup)}",
            )
    vals = E.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isin(vals, (0.0, 1.0, 2.0))
    if bad.any():
        r, c = np.nonzero(bad)
        cells = [f"({E.index[i]}, {E.columns[j]})" for i, j in zip(r[:5], c[:5], strict=True)]
        raise JiqunError(
            f"必要性矩阵只能取 0、1、2；有 {int(bad.sum())} 个无效单元格：{', '.join(cells)}",
            f"essentiality values must be 0, 1 or 2; {int(bad.sum())} invalid cell(s): "
            + ", ".join(cells),
        )
    out = pd.DataFrame(vals.astype(np.int8), index=E.index, columns=E.columns)
    out.attrs["basis"] = matrix.attrs.get(
        "basis", "user essentiality matrix / 用户提供的必要性矩阵"
    )
    return out


def load_essentiality(path: str | Path) -> pd.DataFrame:
    """Read an essentiality matrix from CSV, XLSX or Parquet and validate it.

    The first column (CSV/XLSX) holds the supplying industries; the header row the using
    industries. Codes are read as text, so leading zeros survive.

    Source: the file layout of the Diem et al. (2022) matrices (``ess_mat_n2_ihs.csv``).

    Parameters
    ----------
    path:
        ``.csv``, ``.xlsx`` or ``.parquet`` file.

    Returns
    -------
    pandas.DataFrame
        As :func:`check_essentiality`, with ``attrs["basis"]`` naming the file.

    References
    ----------
    Diem et al. (2022).

    Example
    -------
    >>> E = load_essentiality("my_matrix.csv")  # doctest: +SKIP
    """
    p = Path(path)
    if not p.exists():
        raise JiqunError(f"找不到 {p}", f"{p} does not exist")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        raw = pd.read_csv(p, index_col=0, dtype=str, keep_default_na=False)
    elif suffix in (".xlsx", ".xls"):
        raw = pd.read_excel(p, index_col=0, dtype=str)
    elif suffix == ".parquet":
        raw = pd.read_parquet(p)
    else:
        raise JiqunError(
            f"不支持的文件类型 {suffix}（支持 .csv/.xlsx/.parquet）",
            f"unsupported file type {suffix} (use .csv, .xlsx or .parquet)",
        )
    raw.attrs["basis"] = f"user essentiality matrix from {p.name} / 用户矩阵 {p.name}"
    return check_essentiality(raw)


def resolve_industries(codes: Iterable[str], labels: Iterable[str], axis: str) -> np.ndarray:
    """Position of each industry code among matrix ``labels``: exact, else longest prefix.

    Raises :class:`JiqunError` listing codes that match no label.
    """
    labels = list(labels)
    pos = {lab: i for i, lab in enumerate(labels)}
    by_len = sorted({len(lab) for lab in labels}, reverse=True)
    out = []
    missing = []
    for c in codes:
        c = str(c).strip()
        hit = pos.get(c)
        if hit is None:
            for k in by_len:
                if k < len(c) and c[:k] in pos:
                    hit = pos[c[:k]]
                    break
        if hit is None:
            missing.append(c)
            hit = -1
        out.append(hit)
    if missing:
        raise JiqunError(
            f"必要性矩阵的{axis}中找不到这些行业（精确或前缀）：{fmt_number(missing)}",
            f"industries not found among the essentiality matrix {axis} (exact or prefix): "
            f"{fmt_number(missing)}",
        )
    return np.asarray(out, dtype=np.int64)

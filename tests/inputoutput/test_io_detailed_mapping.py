"""The shipped NBS 149/153-sector ↔ GB/T 4754-2017 mapping: integrity, the check against the real
tables (detailed sectors' totals nest in the 42-sector table of the same year; read from
``$JIQUN_SHARED_DATASETS/real_cn/io_tables_nbs``, never copied here, skipped when absent), and
the detailed tables through the 补链 IO weight and the IO essentiality."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from jiqun import reference as ref
from jiqun.cli.app import app
from jiqun.errors import JiqunError
from jiqun.inputoutput import coefficients, read_io_table
from jiqun.inputoutput.sectors import (
    IO_CLASSIFICATIONS,
    io42_mapping,
    io42_sector_of,
    io_coefficients,
    io_detailed_mapping,
    io_sector_weights,
)

from .test_inputoutput import NBS, needs_nbs

DETAILED = {"2017_149": 149, "2018_153": 153}
#: year → (detailed file, classification); 2018 and 2020 share one list
YEARS = {2017: ("china_2017_149.csv", "2017_149"), 2018: ("china_2018_153.csv", "2018_153"),
         2020: ("china_2020_153.csv", "2018_153")}  # fmt: skip


def _classes() -> list[str]:
    return [c for c in ref.industry_codes(level=4) if not c.startswith("97")]


# ---------------------------------------------------------------------------------------------
# integrity of the file (no data needed)


@pytest.mark.parametrize("cls", list(DETAILED))
def test_detailed_mapping_integrity(cls: str) -> None:
    m = io_detailed_mapping(cls)
    n = DETAILED[cls]
    assert m["io_code"].tolist() == [f"{i:03d}" for i in range(1, n + 1)]
    assert IO_CLASSIFICATIONS[cls] == m["io_code"].tolist()
    known = set(ref.industry_codes(level=2)) | set(ref.industry_codes(level=3))
    known |= set(ref.industry_codes(level=4))
    io42 = io42_mapping().set_index("io_sector")
    for r in m.itertuples():
        codes = r.gbt4754_codes.split()
        assert codes and set(codes) <= known, r
        assert r.gbt4754_names.split("；") == [ref.industry_name(c) for c in codes]
        assert r.io42_sector in io42.index
        # nested: the detailed sector's codes lie in its parent's divisions
        assert {c[:2] for c in codes} <= set(io42.loc[r.io42_sector, "gbt4754_divisions"].split())
        assert r.verification in {"name", "name-stated", "judgement"}
        assert r.verification != "judgement" or r.note
    # a partition: every class of divisions 01–96 under exactly one detailed sector
    pref = [(r.io_code, c) for r in m.itertuples() for c in r.gbt4754_codes.split()]
    for k in _classes():
        assert len([s for s, c in pref if k.startswith(c)]) == 1, k
    # every 42 sector's divisions are exactly its detailed sectors' divisions
    for s, g in m.groupby("io42_sector"):
        union = {c[:2] for cs in g["gbt4754_codes"] for c in cs.split()}
        assert union == set(io42.loc[s, "gbt4754_divisions"].split()), s
    # parents run in table order (the detailed sectors are grouped by 42 sector)
    assert m["io42_sector"].tolist() == sorted(m["io42_sector"])


def test_every_manufacturing_division_reached_by_the_expected_sectors() -> None:
    m = io_detailed_mapping("2018_153")
    by_div: dict[str, set[str]] = {}
    for r in m.itertuples():
        for c in r.gbt4754_codes.split():
            by_div.setdefault(c[:2], set()).add(r.io_code)
    parent = m.set_index("io_code")["io42_sector"]
    for d in (f"{i}" for i in range(13, 44)):
        # reached, and only by detailed sectors of the division's own 42 sector
        assert by_div[d], d
        assert {parent[s] for s in by_div[d]} == {io42_sector_of(d)}, d
    # a few the names pin down
    assert by_div["38"] == {f"{i:03d}" for i in range(84, 90)}
    assert by_div["36"] == {"079", "080"}
    assert by_div["24"] == {"039", "040"}
    assert by_div["43"] == {"099"}


def test_io42_rows_checked_against_tables() -> None:
    m = io42_mapping()
    assert set(m["verification"]) == {"checked-against-tables"}


def test_sector_weights() -> None:
    # a class finds its one detailed sector; division 36 spreads over its two sectors
    assert io_sector_weights("C3841", "2018_153") == {"087": 1.0}
    assert io_sector_weights("3841", "2017_149") == {"085": 1.0}
    assert io_sector_weights("36", "2018_153") == {"079": 0.5, "080": 0.5}
    assert io_sector_weights("3580", "2018_153") == {"077": 1.0}
    assert io_sector_weights("3580", "2017_149") == {"076": 1.0}
    assert io_sector_weights("5611", "2018_153") == {"117": 1.0}
    assert io_sector_weights("97", "2018_153") == {}
    assert io_sector_weights("C", "2018_153") == {}
    # the 42 classification: the old one-sector answer
    assert io_sector_weights("3670", "nbs42") == {"18": 1.0}
    with pytest.raises(JiqunError):
        io_sector_weights("3670", "2019_999")


def test_io_coefficients_recognises_the_classification() -> None:
    for cls, n in (("nbs42", 42), ("2017_149", 149), ("2018_153", 153)):
        A = pd.DataFrame(0.0, index=range(1, n + 1), columns=range(1, n + 1))
        a, got = io_coefficients(A, ("示例", "example"))
        assert got == cls
        assert a.index.tolist() == IO_CLASSIFICATIONS[cls]
    with pytest.raises(JiqunError, match="149"):
        io_coefficients(pd.DataFrame(0.0, index=range(1, 50), columns=range(1, 50)), ("a", "b"))


# ---------------------------------------------------------------------------------------------
# against the real tables


@needs_nbs
@pytest.mark.parametrize("year", list(YEARS))
def test_detailed_names_match_the_tables(year: int) -> None:
    fname, cls = YEARS[year]
    t = read_io_table(NBS / fname)
    m = io_detailed_mapping(cls).set_index("io_code")
    assert m["io_name_zh"].to_dict() == t.names("zh").to_dict()


@needs_nbs
@pytest.mark.parametrize("year", list(YEARS))
def test_detailed_totals_nest_in_the_42_table(year: int) -> None:
    fname, cls = YEARS[year]
    d = read_io_table(NBS / fname)
    t42 = read_io_table(NBS / f"china_{year}_42.csv")
    parent = io_detailed_mapping(cls).set_index("io_code")["io42_sector"]
    for det, agg in (
        (d.x, t42.x),  # gross output
        (d.VA.sum(), t42.VA.sum()),  # value added
        (d.Z.sum(axis=1), t42.Z.sum(axis=1)),  # total intermediate use (domestic + imported)
    ):
        summed = det.groupby(parent.reindex(det.index).to_numpy()).sum()
        rel = ((summed - agg) / agg).abs()
        assert float(rel.max()) < 1e-9, (year, rel.idxmax())


# ---------------------------------------------------------------------------------------------
# a detailed table through the 补链 weight and the IO essentiality


def test_segment_io_dependence_with_a_detailed_table() -> None:
    from jiqun.chains import get_template
    from jiqun.chains.io_weight import segment_io_dependence, segment_sector_shares

    t = get_template("photovoltaics")
    u = segment_sector_shares(t, "2018_153")
    assert u.shape[1] == 153
    assert u.sum(axis=1).max() == pytest.approx(1.0)
    ix = IO_CLASSIFICATIONS["2018_153"]
    A = pd.DataFrame(0.0, index=ix, columns=ix)
    # only glass (057: 3041, 3042) sells to 输配电及控制设备 (085: 3825, the cells and modules)
    A.loc["057", "085"] = 0.1
    d = segment_io_dependence(A, t, pd.Series({"cells_modules": 1.0}))
    # auxiliary_materials: 2 of its 4 classes are glass → 0.1 / 2
    assert d.loc["auxiliary_materials", "io_dependence"] == pytest.approx(0.05)
    assert d.loc["auxiliary_materials", "io_weight"] == pytest.approx(1.0)
    assert d.drop(index="auxiliary_materials")["io_dependence"].abs().max() == 0.0
    # labels as numbers (a spreadsheet) are the same sectors
    A2 = A.copy()
    A2.index = A2.columns = range(1, 154)
    d2 = segment_io_dependence(A2, t, pd.Series({"cells_modules": 1.0}))
    pd.testing.assert_frame_equal(d, d2)
    # 42-sector labels still give the 42-sector answer
    ix42 = IO_CLASSIFICATIONS["nbs42"]
    A42 = pd.DataFrame(0.0, index=ix42, columns=ix42)
    A42.loc["13", "19"] = 0.1
    d42 = segment_io_dependence(A42, t, pd.Series({"cells_modules": 1.0}))
    assert d42.loc["auxiliary_materials", "io_dependence"] == pytest.approx(0.05)


def test_io_essentiality_with_a_detailed_matrix_by_hand() -> None:
    from jiqun.resilience import io_essentiality

    ix = IO_CLASSIFICATIONS["2018_153"]
    A = pd.DataFrame(0.0, index=ix, columns=ix)
    # steel rolling (062, div 31) into cars (079) and parts (080, both div 36)
    A.loc["062", "079"], A.loc["062", "080"] = 0.08, 0.04
    # iron (063, also div 31) adds to what division 31 supplies
    A.loc["063", "079"] = 0.02
    E = io_essentiality(A, ["3130", "3670", "8310"])
    # division 31 → 36: rows of 062 and 063 summed, columns 079/080 averaged: (0.1 + 0.04) / 2
    assert int(E.loc["3130", "3670"]) == 2
    A.loc["062", "080"] = 0.0
    A.loc["063", "079"] = 0.0
    # 0.08 / 2 = 0.04 < 0.05
    assert int(io_essentiality(A, ["3130", "3670"]).loc["3130", "3670"]) == 1
    assert int(E.loc["8310", "3670"]) == 0


@needs_nbs
def test_io_essentiality_on_the_2020_detailed_table() -> None:
    from jiqun.resilience import io_essentiality

    t = read_io_table(NBS / "china_2020_153.csv")
    A = coefficients(t.Z, t.x)
    E = io_essentiality(A, source="NBS 2020 (153)")
    assert E.shape == (97, 97)
    # non-ferrous metals into electrical machinery: essential, as with the 42-sector table
    assert int(E.loc["32", "38"]) == 2
    # 97 has no sector
    assert not E.loc["97"].any() and not E["97"].any()
    assert np.isin(E.to_numpy(), [0, 1, 2]).all()


# ---------------------------------------------------------------------------------------------
# end to end: ``--io-table`` with a 153-sector table (demo database; the real table)


@pytest.fixture
def io_table_153(shared_datasets_dir: Path) -> Path:
    p = shared_datasets_dir / "real_cn" / "io_tables_nbs" / "china_2020_153.csv"
    if not p.is_file():
        pytest.skip(f"no NBS 153-sector table at {p}")
    return p


@pytest.mark.slow
def test_chain_cli_and_resilience_service_with_a_153_sector_table(
    demo_engine: Engine, io_table_153: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiqun.services import resilience as svc

    monkeypatch.delenv("JIQUN_IO_TABLE", raising=False)
    out = tmp_path / "r.json"
    r = CliRunner().invoke(
        app,
        ["chain", "analyse", "integrated_circuits", "--cluster", "NC2021-03", "--top", "5",
         "--io-table", str(io_table_153), "--out", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    got = pd.DataFrame(doc["tables"]["candidates"])
    assert got["io_weight"].astype(float).notna().any()
    assert "153 sectors" in doc["basis"]["io_table"]

    with demo_engine.connect() as c:
        code = c.execute(
            text(
                "SELECT substr(region_code, 1, 4) FROM enterprises GROUP BY 1 "
                "ORDER BY COUNT(*) DESC LIMIT 1"
            )
        ).scalar()
    io = svc.scenario(demo_engine, lockdown=f"{code}00", essentiality="io", io_table=io_table_153)
    assert "NBS 153-sector" in io.basis["essentiality"]
    assert "china_2020_153.csv" in io.basis["essentiality"]

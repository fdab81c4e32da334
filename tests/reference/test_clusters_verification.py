"""The shipped cluster list against the 2026-12 verification of every cluster row.

The verification file ships byte-identical in ``jiqun/reference/data``; when the project's
shared reference folder is present (``../shared/reference`` beside the checkout, or
``$JIQUN_SHARED_REFERENCE``) the copy must equal it, otherwise those comparisons skip.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pandas as pd
import pytest

from jiqun import reference as ref

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "jiqun" / "reference" / "data"
NAME = "clusters_verification_2026-12.csv"


def _shared_file() -> Path | None:
    env = os.environ.get("JIQUN_SHARED_REFERENCE")
    candidates = [Path(env)] if env else []
    # a checkout in <root>/main or in a worktree <root>/wt/<name>
    candidates += [
        ROOT.parent / "shared" / "reference",
        ROOT.parent.parent / "shared" / "reference",
    ]
    for c in candidates:
        if (c / NAME).is_file():
            return c / NAME
    return None


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def check() -> list[dict[str, str]]:
    shared = _shared_file()
    if shared is None:
        pytest.skip(f"shared reference folder absent ({NAME}; set JIQUN_SHARED_REFERENCE)")
    return _rows(shared)


@pytest.fixture(scope="module")
def clusters() -> pd.DataFrame:
    return ref.clusters().set_index("cluster_id")


def test_shipped_copy_is_the_shared_file(check: list[dict[str, str]]) -> None:
    shared = _shared_file()
    assert shared is not None
    assert DATA.joinpath(NAME).read_bytes() == shared.read_bytes()


def test_corrected_and_confirmed_names_are_the_official_ones(
    check: list[dict[str, str]], clusters: pd.DataFrame
) -> None:
    confirmed = [
        r for r in check if r["id_in_project"] and r["status"] in ("verified", "corrected")
    ]
    assert len(confirmed) == 70
    for r in confirmed:
        assert clusters.loc[r["id_in_project"], "name_zh"] == r["name_official"], r["id_in_project"]
    # the two corrections the check names
    assert clusters.loc["NC2021-15", "name_zh"] == "株洲市先进轨道交通装备集群"
    assert clusters.loc["NC2021-21", "name_zh"] == "成德高端能源装备集群"
    assert clusters.loc["NC2021-15", "name_en"] == "Zhuzhou Advanced Rail Transit Equipment Cluster"


def test_flags_follow_the_check(check: list[dict[str, str]], clusters: pd.DataFrame) -> None:
    for r in check:
        cid = r["id_in_project"]
        if not cid:
            continue
        flag = clusters.loc[cid, "verification"]
        if "YEAR DOUBTFUL" in r["note"]:
            assert flag == "doubtful", cid
        elif r["status"] in ("verified", "corrected"):
            assert flag == "verified", cid  # raised where the check confirmed the row
        else:
            assert r["status"] == "unverified"
            assert flag in ("partial", "recalled"), cid  # never verified without a source
        assert clusters.loc[cid, "verification_note"].startswith(f"check 2026-12: {r['status']}")
    # rows the check raised (examples from each part of the list)
    for cid in ("NC2022-03", "NC2022-04", "NC2022-10", "NC2022-15", "NC2024-01", "NC2024-X04"):
        assert clusters.loc[cid, "verification"] == "verified", cid
    # the check could not confirm the exact wording: no longer shown as verified
    assert clusters.loc["NC2021-16", "verification"] == "partial"
    assert clusters.loc["NC2022-09", "verification"] == "recalled"


def test_missing_2024_clusters_are_added_with_unknown_position(
    check: list[dict[str, str]], clusters: pd.DataFrame
) -> None:
    missing = [r for r in check if r["status"] == "missing_in_project"]
    assert len(missing) == 7
    added = clusters[clusters.index.str.match(r"NC2024-X(0[5-9]|1[01])$")]
    assert len(added) == 7
    assert (added["tier"] == "national").all() and (added["batch_year"] == 2024).all()
    # names as the check gives them; the one known only in English keeps the unknown part open
    assert added["name_zh"].tolist()[:6] == [r["name_official"] for r in missing][:6]
    quanzhou = added.iloc[6]
    assert quanzhou["name_en"] == "Quanzhou Modern Sports Products Cluster"
    assert "…" in quanzhou["name_zh"] and "待核" in quanzhou["name_zh"]
    assert quanzhou["verification"] == "partial"
    # member regions: only the cities the check lists (prefecture level)
    for (cid, row), r in zip(added.iterrows(), missing, strict=True):
        listed = r["cities"]
        for code in ref.cluster_members(cid):
            assert str(ref.region_name(code))[:2] in listed, (cid, code)
        assert row["source_note"] == r["source_url_or_repo"]
    assert ref.cluster_members("NC2024-X10") == ["320100", "320200"]  # 南京 leads, 无锡
    assert "not known" in added.loc["NC2024-X10", "regions_note"]
    # unconfirmed candidates of the check are not shipped
    assert not clusters["name_zh"].str.contains("鹰饶抚昌|绥哈大齐").any()


def test_members_the_check_names_are_shipped() -> None:
    assert ref.cluster_members("NC2024-12") == ["330600"]  # 绍兴 led the application
    assert ref.cluster_members("NC2024-X04") == ["310100", "341500"]  # 上海, 六安
    assert ref.cluster_members("NC2024-05") == []  # 台州 only from a weak source: not shipped


def test_sme_pingfang_is_flagged_as_probably_not_2024(clusters: pd.DataFrame) -> None:
    row = clusters.loc["SME2024-14"]
    assert row["name_zh"] == "平房区航空配套产业集群"
    assert row["verification"] == "doubtful"
    assert "年份存疑" in row["source_note"] and "not 2024" in row["source_note"]


def test_counts_after_the_check(clusters: pd.DataFrame) -> None:
    national = clusters[clusters["tier"] == "national"]
    assert (national["batch_year"] == 2024).sum() == 27  # 20 + the 7 the check found missing
    assert len(clusters) == 92
    assert clusters["verification"].value_counts().to_dict() == {
        "verified": 75,
        "partial": 13,
        "recalled": 3,
        "doubtful": 1,
    }

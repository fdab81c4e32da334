"""The input–output section of the cluster page and ``/clusters/{id}/io-linkages``.

Without ``JIQUN_IO_TABLE`` the answer says so in Chinese and English and has no numbers; with a
(synthetic, generated here) 42-sector table the leading industries get their sectors' linkages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jiqun import reference
from jiqun.inputoutput.sectors import io42_sector_of


def test_not_configured_says_so_without_numbers(world: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("JIQUN_IO_TABLE", raising=False)
    c = world.client()
    r = c.get(f"/api/v1/clusters/{world.cluster}/io-linkages")
    assert r.status_code == 200
    body = r.json()
    assert body["configured"] is False and body["rows"] == []
    assert "JIQUN_IO_TABLE" in body["message_zh"] and "JIQUN_IO_TABLE" in body["message_en"]
    page = c.get(f"/clusters/{world.cluster}/io")
    assert page.status_code == 200
    assert 'data-configured="no"' in page.text
    # the notice in the page's language only (a Chinese page reads as Chinese)
    assert (
        "未配置投入产出表" in page.text and "No input-output table is configured" not in page.text
    )
    assert "io-linkages-table" not in page.text
    en = c.get(f"/clusters/{world.cluster}/io?lang=en")
    assert "No input-output table is configured" in en.text


def test_configured_table_gives_linkages_of_leading_industries(
    world: Any, monkeypatch: Any, tmp_path: Path, write_io42: Any
) -> None:
    p = tmp_path / "synthetic_2020_42.csv"
    write_io42(p)
    monkeypatch.setenv("JIQUN_IO_TABLE", str(p))
    c = world.client()
    r = c.get(f"/api/v1/clusters/{world.cluster}/io-linkages")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["configured"] is True
    cl = c.get(f"/api/v1/clusters/{world.cluster}").json()
    leading = [i["code"] for i in cl["leading_industries"]]
    assert leading  # the test cluster has leading industries
    assert [row["industry_code"] for row in body["rows"]] == leading
    for row in body["rows"]:
        assert row["io_sector"] == io42_sector_of(row["industry_code"])
        assert row["industry_name"] == (reference.industry_name(row["industry_code"]) or "")
        assert row["backward"] > 0 and row["forward"] > 0
        assert 1 <= row["backward_rank"] <= 42
        assert row["class"] in {"key", "backward", "forward", "weak"}
    assert "synthetic_2020_42.csv" in body["basis"]["table"]
    assert str(tmp_path) not in r.text  # the server path is not shown
    assert any("recalled" in n for n in body["notes"])
    page = c.get(f"/clusters/{world.cluster}/io")
    assert 'data-configured="yes"' in page.text and "io-linkages-table" in page.text


def test_unknown_cluster_is_404(world: Any) -> None:
    r = world.client().get("/api/v1/clusters/no-such-cluster/io-linkages")
    assert r.status_code == 404


def test_cluster_page_has_the_section(world: Any) -> None:
    r = world.client().get(f"/clusters/{world.cluster}")
    assert r.status_code == 200
    assert f'hx-get="/clusters/{world.cluster}/io"' in r.text
    assert 'href="#io"' in r.text and 'section id="io"' in r.text


@pytest.mark.parametrize("bad", ["x.csv"])
def test_missing_configured_file_is_a_clear_error(world: Any, monkeypatch: Any, bad: str) -> None:
    monkeypatch.setenv("JIQUN_IO_TABLE", "/nonexistent/" + bad)
    r = world.client().get(f"/api/v1/clusters/{world.cluster}/io-linkages")
    assert r.status_code == 400
    assert "input-output table" in r.text


def test_detailed_153_sector_table_gives_linkages_per_detailed_sector(
    world: Any, monkeypatch: Any, shared_datasets_dir: Path
) -> None:
    """A 153-sector table is accepted: each leading industry gets its detailed sector(s)
    (a coarse code split equally over the sectors it spans), ranked among all 153."""
    from jiqun.inputoutput.sectors import io_sector_weights

    p = shared_datasets_dir / "real_cn" / "io_tables_nbs" / "china_2020_153.csv"
    if not p.exists():
        pytest.skip(f"no NBS 153-sector table at {p}")
    monkeypatch.setenv("JIQUN_IO_TABLE", str(p))
    c = world.client()
    r = c.get(f"/api/v1/clusters/{world.cluster}/io-linkages")
    assert r.status_code == 200, r.text
    body = r.json()
    leading = [
        i["code"] for i in c.get(f"/api/v1/clusters/{world.cluster}").json()["leading_industries"]
    ]
    assert list(dict.fromkeys(row["industry_code"] for row in body["rows"])) == leading
    for code in leading:
        rows = [row for row in body["rows"] if row["industry_code"] == code]
        want = io_sector_weights(code, "2018_153")
        assert {row["io_sector"]: row["io_sector_share"] for row in rows} == want
        for row in rows:
            assert 1 <= row["backward_rank"] <= 153 and len(row["io_sector"]) == 3
    assert "153 sectors" in body["basis"]["table"]
    page = c.get(f"/clusters/{world.cluster}/io")
    assert 'data-configured="yes"' in page.text and "io-linkages-table" in page.text

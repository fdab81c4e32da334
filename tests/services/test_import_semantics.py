"""Import semantics: idempotent re-import, update by natural key, region-stats upsert with unit
conversion, clusters with their region/industry lists, reference errors, self-links, and a
process killed in the middle of an import leaving the database exactly as before."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from jiqun.services.exporting import export_kind
from jiqun.services.imports import import_file, stored_counts
from jiqun.standard.codes import organisation_code_check_char, uscc_check_char
from jiqun.store import bulk

FILES = Path(__file__).resolve().parents[1] / "data" / "files"
ROOT = Path(__file__).resolve().parents[2]


def make_uscc(prefix8: str, org8: str) -> str:
    """A credit code with a valid GB 11714 organisation check (pos. 17) and GB 32100 check."""
    body = prefix8 + org8 + organisation_code_check_char(org8)
    return body + uscc_check_char(body)


def table_hash(engine: Engine, table: str, drop: tuple[str, ...] = ()) -> str:
    with engine.connect() as conn:
        df = pd.read_sql(text(f"SELECT * FROM {table}"), conn)
    df = df.drop(columns=[c for c in drop if c in df.columns])
    df = df.reindex(sorted(df.columns), axis=1).astype(str)
    df = df.sort_values(list(df.columns)).reset_index(drop=True)
    return hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()


def db_state(engine: Engine) -> tuple[dict[str, int], dict[str, str]]:
    tables = ("enterprises", "imports", "region_stats", "clusters", "cluster_members")
    return stored_counts(engine), {t: table_hash(engine, t) for t in tables}


HEADER = (
    "统一社会信用代码,企业名称,所在地区代码,行业代码,成立日期,从业人员,营业收入（万元）,企业标签"
)


# ---------------------------------------------------------------------------------------------
# enterprises: idempotence and update by natural key
# ---------------------------------------------------------------------------------------------


def test_reimport_is_idempotent(engine: Engine) -> None:
    path = FILES / "enterprises_clean.csv"
    first = import_file(path, "enterprises", engine=engine)
    assert first.status == "committed"
    assert (first.inserted, first.updated, first.unchanged) == (5, 0, 0)
    h = table_hash(engine, "enterprises")
    counts = stored_counts(engine)

    second = import_file(path, "enterprises", engine=engine)
    assert second.status == "committed"
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 5)
    assert table_hash(engine, "enterprises") == h  # not even import_id changes
    assert stored_counts(engine) == counts


def test_update_by_natural_key(engine: Engine, tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text(
        f"{HEADER}\n"
        "91370000728611939A,山东示例集成电路有限公司,320214,3973,2001-05-18,860,125000.5,高新技术企业\n"
        "91110108551385082Q,北京示例锂电科技有限公司,440300,3841,2010-03-02,420,38000,\n",
        encoding="utf-8",
    )
    b = tmp_path / "b.csv"
    b.write_text(
        f"{HEADER}\n"
        "91370000728611939A,山东示例集成电路有限公司,320214,3973,2001-05-18,860,125000.5,高新技术企业\n"
        "91110108551385082Q,北京示例锂电科技有限公司,440300,3841,2010-03-02,420,39999,\n",
        encoding="utf-8",
    )
    assert import_file(a, "enterprises", engine=engine).inserted == 2
    res = import_file(b, "enterprises", engine=engine)
    assert (res.inserted, res.updated, res.unchanged) == (0, 1, 1)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT uscc, revenue FROM enterprises ORDER BY uscc")).all()
    assert [(u, float(r)) for u, r in rows] == [
        ("91110108551385082Q", 39999.0),
        ("91370000728611939A", 125000.5),
    ]
    # and once more: nothing left to change
    again = import_file(b, "enterprises", engine=engine)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


# ---------------------------------------------------------------------------------------------
# region statistics
# ---------------------------------------------------------------------------------------------


def test_region_stats_upsert_and_unit_conversion(engine: Engine, tmp_path: Path) -> None:
    res = import_file(FILES / "region_stats_long.csv", "region-stats", engine=engine)
    assert res.status == "committed" and res.inserted == 4
    conv = [p for p in res.validation.problems if p.rule == "amount.unit"]
    assert {(p.row, p.column) for p in conv} == {(3, "数值"), (5, "数值")}

    def value(measure: str, region: str = "320200", industry: str = "3973") -> tuple:
        with engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT value, unit FROM region_stats WHERE region_code = :r "
                    "AND industry_code = :i AND year = 2022 AND measure = :m"
                ),
                {"r": region, "i": industry, "m": measure},
            ).one()

    v, unit = value("revenue")
    assert unit == "万元"
    assert float(v) == pytest.approx(12345.6 * 10_000)  # 亿元 → 万元
    v, unit = value("output", "320214", "3841")
    assert (float(v), unit) == (pytest.approx(4_567_000.0), "万元")
    v, unit = value("employment")
    assert (float(v), unit) == (86000.0, "人")

    # same key (region, industry, year, measure), new value → one update, nothing duplicated
    upd = tmp_path / "upd.csv"
    upd.write_text(
        "地区代码,行业代码,年份,指标,数值,单位\n320200,3973,2022,营业收入,2,亿元\n",
        encoding="utf-8",
    )
    n = stored_counts(engine)["region-stats"]
    res2 = import_file(upd, "region-stats", engine=engine)
    assert (res2.inserted, res2.updated, res2.unchanged) == (0, 1, 0)
    assert stored_counts(engine)["region-stats"] == n
    assert float(value("revenue")[0]) == pytest.approx(20_000.0)
    # re-importing the original file restores the value and touches nothing else
    res3 = import_file(FILES / "region_stats_long.csv", "region-stats", engine=engine)
    assert (res3.inserted, res3.updated, res3.unchanged) == (0, 1, 3)


def test_region_stats_wrong_unit_rejected(engine: Engine, tmp_path: Path) -> None:
    p = tmp_path / "bad_unit.csv"
    p.write_text(
        "地区代码,行业代码,年份,指标,数值,单位\n320200,3973,2022,营业收入,2,吨\n"
        "320200,3973,2022,从业人员,5,万元\n",
        encoding="utf-8",
    )
    before = db_state(engine)
    res = import_file(p, "region-stats", engine=engine)
    assert res.status == "rejected"
    errs = {(q.row, q.column, q.rule) for q in res.validation.problems if q.is_error}
    assert errs == {(2, "单位", "unit.money"), (3, "单位", "unit.measure")}
    assert db_state(engine) == before


# ---------------------------------------------------------------------------------------------
# clusters, members, supply links
# ---------------------------------------------------------------------------------------------

CLUSTERS_CSV = (
    "集群编号,集群名称,集群层级,批次年份,领域,成员地区代码,主导产业代码\n"
    "TEST-WX-IC,无锡示例集成电路集群,省级,2023,新一代信息技术,320200;320214,3973;3972\n"
    "TEST-SZ-BIO,苏州示例生物医药集群,provincial,2023,biomedicine,320500；320506,2720、2761\n"
)


def test_clusters_import_lists_and_round_trip(engine: Engine, tmp_path: Path) -> None:
    p = tmp_path / "clusters.csv"
    p.write_text(CLUSTERS_CSV, encoding="utf-8")
    res = import_file(p, "clusters", engine=engine)
    assert res.status == "committed", [str(q) for q in res.validation.problems if q.is_error]
    assert (res.inserted, res.updated) == (2, 0)
    with engine.connect() as conn:
        regs = conn.execute(
            text(
                "SELECT cluster_id, region_code FROM cluster_regions "
                "WHERE cluster_id LIKE 'TEST-%' ORDER BY 1, 2"
            )
        ).all()
        inds = conn.execute(
            text(
                "SELECT cluster_id, industry_code FROM cluster_industries "
                "WHERE cluster_id LIKE 'TEST-%' ORDER BY 1, 2"
            )
        ).all()
    assert [tuple(r) for r in regs] == [
        ("TEST-SZ-BIO", "320500"),
        ("TEST-SZ-BIO", "320506"),
        ("TEST-WX-IC", "320200"),
        ("TEST-WX-IC", "320214"),
    ]
    assert [tuple(r) for r in inds] == [
        ("TEST-SZ-BIO", "2720"),
        ("TEST-SZ-BIO", "2761"),
        ("TEST-WX-IC", "3972"),
        ("TEST-WX-IC", "3973"),
    ]

    # export → import again: nothing new, lists identical
    out = tmp_path / "clusters_export.csv"
    n = export_kind("clusters", out, engine=engine)
    assert n == stored_counts(engine)["clusters"]
    exported = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    mine = exported[exported["cluster_id"].str.startswith("TEST-")].set_index("cluster_id")
    assert mine.loc["TEST-WX-IC", "member_regions"] == "320200;320214"
    assert mine.loc["TEST-SZ-BIO", "leading_industries"] == "2720;2761"
    before_regs = table_hash(engine, "cluster_regions")
    only_mine = tmp_path / "mine.csv"
    exported[exported["cluster_id"].str.startswith("TEST-")].drop(columns=["synthetic"]).to_csv(
        only_mine, index=False, encoding="utf-8-sig"
    )
    again = import_file(only_mine, "clusters", engine=engine)
    assert again.status == "committed"
    assert (again.inserted, again.updated) == (0, 2)
    assert table_hash(engine, "cluster_regions") == before_regs

    # a changed member list replaces the old one
    p2 = tmp_path / "clusters2.csv"
    p2.write_text(
        "集群编号,集群名称,集群层级,成员地区代码\nTEST-WX-IC,无锡示例集成电路集群,省级,320200\n",
        encoding="utf-8",
    )
    assert import_file(p2, "clusters", engine=engine).status == "committed"
    with engine.connect() as conn:
        regs = conn.execute(
            text("SELECT region_code FROM cluster_regions WHERE cluster_id = 'TEST-WX-IC'")
        ).all()
    assert [r[0] for r in regs] == ["320200"]


def test_cluster_bad_list_element(engine: Engine, tmp_path: Path) -> None:
    p = tmp_path / "clusters_bad.csv"
    p.write_text(
        "集群编号,集群名称,集群层级,成员地区代码,主导产业代码\n"
        "TEST-X,示例集群,省级,320200;999999,3973\n",
        encoding="utf-8",
    )
    before = db_state(engine)
    res = import_file(p, "clusters", engine=engine)
    assert res.status == "rejected"
    errs = {(q.row, q.column, q.rule) for q in res.validation.problems if q.is_error}
    assert errs == {(2, "成员地区代码", "region_codes.exists")}
    assert db_state(engine) == before


def test_cluster_members_unknown_cluster_is_an_error(engine: Engine, tmp_path: Path) -> None:
    import_file(FILES / "enterprises_clean.csv", "enterprises", engine=engine)
    p = tmp_path / "members.csv"
    p.write_text(
        "集群编号,统一社会信用代码,角色\nNO-SUCH-CLUSTER,91370000728611939A,骨干企业\n",
        encoding="utf-8",
    )
    before = db_state(engine)
    res = import_file(p, "cluster-members", engine=engine)
    assert res.status == "rejected"
    errs = {(q.row, q.column, q.rule) for q in res.validation.problems if q.is_error}
    assert errs == {(2, "集群编号", "ref.cluster_exists")}
    assert db_state(engine) == before

    # with the cluster imported first, the same member file goes in
    c = tmp_path / "c.csv"
    c.write_text(
        "集群编号,集群名称,集群层级,成员地区代码\nNO-SUCH-CLUSTER,示例集群,省级,320200\n",
        encoding="utf-8",
    )
    assert import_file(c, "clusters", engine=engine).status == "committed"
    ok = import_file(p, "cluster-members", engine=engine)
    assert ok.status == "committed" and ok.inserted == 1


def test_supply_link_self_link_is_an_error(engine: Engine, tmp_path: Path) -> None:
    import_file(FILES / "enterprises_clean.csv", "enterprises", engine=engine)
    p = tmp_path / "links.csv"
    p.write_text(
        "供应商信用代码,采购方信用代码,年份,采购金额（万元）,投入品类别\n"
        "91370000728611939A,91110108551385082Q,2023,100,3973\n"
        "91110108551385082Q,91110108551385082Q,2023,50,3841\n",
        encoding="utf-8",
    )
    before = db_state(engine)
    res = import_file(p, "supply-links", engine=engine)
    assert res.status == "rejected"
    errs = {(q.row, q.column, q.rule) for q in res.validation.problems if q.is_error}
    assert errs == {(3, "采购方信用代码", "link.self")}
    assert db_state(engine) == before


def test_supply_links_corpus_imports_and_is_idempotent(engine: Engine) -> None:
    import_file(FILES / "enterprises_clean.csv", "enterprises", engine=engine)
    res = import_file(FILES / "supply_links.csv", "supply-links", engine=engine)
    assert res.status == "committed" and res.inserted == 3
    again = import_file(FILES / "supply_links.csv", "supply-links", engine=engine)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


# ---------------------------------------------------------------------------------------------
# a process killed in the middle of an import
# ---------------------------------------------------------------------------------------------


def _big_enterprise_file(path: Path, n: int) -> None:
    codes = [make_uscc("91320214", f"MA{i:06X}") for i in range(n)]
    df = pd.DataFrame(
        {
            "uscc": codes,
            "name": [f"示例企业{i:06d}有限公司" for i in range(n)],
            "region_code": "320214",
            "industry_code": "3973",
            "founded": "2015-07-01",
            "employees": [10 + i % 500 for i in range(n)],
            "revenue": [100 + i for i in range(n)],
        }
    )
    assert df["uscc"].is_unique
    df.to_csv(path, index=False, encoding="utf-8")


@pytest.mark.slow
def test_kill_during_import_leaves_database_unchanged(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    import_file(FILES / "enterprises_clean.csv", "enterprises", engine=engine)
    n = 2 * bulk.CHUNK + 20_000
    big = tmp_path / "big.csv"
    _big_enterprise_file(big, n)
    before = db_state(engine)
    engine.dispose()  # no pooled connection held by this process during the kill

    env = {**os.environ, "JIQUN_DATABASE_URL": db_url, "JIQUN_TEST_KILL_AFTER_CHUNKS": "2"}
    proc = subprocess.run(
        [sys.executable, "-m", "jiqun.cli.app", "import", "enterprises", str(big)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode(errors="replace")[-2000:]
    assert db_state(engine) == before

    # the same import without the kill goes through
    env.pop("JIQUN_TEST_KILL_AFTER_CHUNKS")
    ok = subprocess.run(
        [sys.executable, "-m", "jiqun.cli.app", "import", "enterprises", str(big)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr.decode(errors="replace")[-2000:]
    assert stored_counts(engine)["enterprises"] == before[0]["enterprises"] + n

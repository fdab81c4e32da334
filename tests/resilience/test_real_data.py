"""Real data: the 38 Willems (2008) chains and the two example networks of Diem et al. (2022).

Both datasets live in ``../shared/datasets`` (the Diem files are GPL-3 and are only read from
there, never copied into the project); the tests skip with a message where it is absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jiqun.resilience import (
    cascade,
    downstream_exposure,
    esri,
    gl_model,
    load_essentiality,
    read_willems,
    single_points_of_failure,
)

from ._reference_gl import reference_cascade


def shared_datasets() -> Path:
    """../shared/datasets next to the project (or $JIQUN_SHARED_DATASETS)."""
    import os

    env = os.environ.get("JIQUN_SHARED_DATASETS")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "datasets"


WILLEMS = shared_datasets() / "willems_2008"
DIEM = shared_datasets() / "esri_diem2022"


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"real validation data not found at {path} (../shared/datasets is absent)")


# --------------------------------------------------------------------------------------------
# Willems (2008)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def willems() -> tuple[pd.DataFrame, pd.DataFrame]:
    _need(WILLEMS / "invnet_full")
    return read_willems(WILLEMS / "invnet_full")


def test_willems_counts(willems: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    stages, arcs = willems
    assert stages["chain"].nunique() == 38
    assert len(stages) == 15_872 and len(arcs) == 43_589
    assert {"id", "stage_class", "cost", "time", "demand"} <= set(stages.columns)
    assert {"supplier", "buyer"} <= set(arcs.columns)
    assert stages["id"].is_unique and (stages["demand"] >= 0).all()
    assert stages["cost"].notna().all() and stages["time"].notna().all()
    assert set(stages["stage_class"]) <= {"Part", "Parts", "Manuf", "Dist", "Trans", "Retail"}


def test_willems_single_file_and_snc_format() -> None:
    _need(WILLEMS / "invnet_full")
    st, ar = read_willems(WILLEMS / "invnet_full" / "01.csv")
    assert (len(st), len(ar)) == (8, 10)
    assert st.set_index("id").at["Retail_0001", "demand"] == 253.0
    assert ar.iloc[0][["supplier", "buyer"]].tolist() == ["Manuf_0001", "Retail_0001"]
    if (WILLEMS / "snc_simplified").exists():
        s2, a2 = read_willems(WILLEMS / "snc_simplified")
        assert (len(s2), len(a2)) == (15_872, 43_589)
        one, arcs1 = read_willems(WILLEMS / "snc_simplified" / "willems_01.csv")
        assert len(one) == 8 and (arcs1["units"] > 0).all()


def test_willems_exposure_and_dominators_on_every_chain(
    willems: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    nx = pytest.importorskip("networkx")
    stages, arcs = willems
    for chain, st in stages.groupby("chain"):
        ar = arcs[arcs["chain"] == chain]
        ex = downstream_exposure(st, ar)
        assert ((ex >= 0) & (ex <= 1 + 1e-12)).all()
        d = st.set_index("id")["demand"]
        assert (ex >= d / d.sum() - 1e-12).all()  # a stage's own demand is exposed
        # a supplier is exposed to at least what each of its buyers is exposed to
        assert (ex[ar["supplier"]].to_numpy() >= ex[ar["buyer"]].to_numpy() - 1e-12).all()
        G = nx.DiGraph()
        G.add_nodes_from(st["id"])
        G.add_edges_from(zip(ar["supplier"], ar["buyer"], strict=True))
        if len(st) <= 300:
            for v in st["id"]:
                reach = nx.descendants(G, v) | {v}
                assert ex[v] == pytest.approx(d[list(reach)].sum() / d.sum(), abs=1e-12)
        sp = single_points_of_failure(st, ar)
        G.add_edges_from(("ROOT", v) for v in st["id"] if G.in_degree(v) == 0)
        idom = nx.immediate_dominators(G, "ROOT")
        expect = {v: (None if idom[v] == "ROOT" else idom[v]) for v in st["id"]}
        assert sp["idom"].to_dict() == expect, chain
        # a stage with one supplier is dominated by it
        one = ar.groupby("buyer")["supplier"].agg(list)
        one = one[one.map(len) == 1].map(lambda x: x[0])
        assert (sp.loc[one.index, "idom"] == one).all()


# --------------------------------------------------------------------------------------------
# Diem et al. (2022) example networks
# --------------------------------------------------------------------------------------------


def _diem_network(name: str) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame]:
    _need(DIEM / name)
    W = pd.read_csv(DIEM / name).to_numpy(dtype=float)  # W[i, j]: i supplies j
    ind = pd.read_csv(DIEM / "industry_vector.csv")
    ids = ind["node_id"].astype(str).to_numpy()
    firms = pd.DataFrame({"id": ids, "industry": ind["industry_id"].astype(str).to_numpy()})
    j, i = np.nonzero(W)
    links = pd.DataFrame({"supplier": ids[j], "buyer": ids[i], "value": W[j, i]})
    return W, firms, links


NETS = ["example_net_erdos_reny_101_213.csv", "example_net_scale_free_101_4000.csv"]


@pytest.mark.parametrize("name", NETS)
def test_diem_examples_sanity(name: str) -> None:
    W, firms, links = _diem_network(name)
    labels = sorted(firms["industry"].unique())
    lin = pd.DataFrame(1, index=labels, columns=labels)  # the tutorial's all-linear matrix
    leo = pd.DataFrame(2, index=labels, columns=labels)
    market = firms.set_index("id")["industry"]  # the tutorial's p_market = p
    e_lin = esri(firms, links, lin, market=market)
    e_norep = esri(firms, links, lin)
    e_leo = esri(firms, links, leo)
    s_out = W.sum(axis=1)
    own = s_out / s_out.sum()
    for e in (e_lin, e_norep, e_leo):
        assert ((e["esri"] >= 0) & (e["esri"] <= 1 + 1e-12)).all()
        assert (e["esri"] >= own - 1e-12).all()  # the shocked firm itself is counted
        assert (e["esri"] >= np.maximum(e["esri_down"], e["esri_up"]) - 1e-12).all()
        assert (e["esri"] <= e["esri_down"] + e["esri_up"] + 1e-12).all()
        assert (e["iterations"] >= 1).all()
    # (the upstream channel depends on the other settings only through the joint stopping rule)
    # replaceability and linear production soften shocks (up to the ε stopping rule)
    assert (e_lin["esri_down"] <= e_norep["esri_down"] + 0.02).all()
    assert (e_norep["esri_down"] <= e_leo["esri_down"] + 0.02).all()
    assert e_leo["esri"].mean() > e_norep["esri"].mean() > e_lin["esri"].mean()
    # the plain reference agrees on a few shocks
    p = firms["industry"].map({lab: k for k, lab in enumerate(labels)}).to_numpy()
    mk = p.copy()
    for a in (0, 17, 50):
        psi = np.zeros(len(p))
        psi[a] = 1.0
        hd, hu, t = reference_cascade(W, p, np.ones((4, 4), dtype=int), psi, mk)
        expect = (s_out * (1 - np.minimum(hd, hu))).sum() / s_out.sum()
        assert e_lin["esri"].iloc[a] == pytest.approx(expect, abs=1e-12)
        assert e_lin["iterations"].iloc[a] == t


def test_diem_example_with_the_survey_matrix() -> None:
    """The NACE-2 survey matrix (GPL, read in place) as a user matrix on the scale-free example.

    The example's industries 1–4 are agriculture, retail, food manufacturing and wholesale:
    NACE 01, 47, 10 and 46.
    """
    _need(DIEM / "ess_mat_n2_ihs.csv")
    _, firms, links = _diem_network(NETS[1])
    nace = {"1": "01", "2": "47", "3": "10", "4": "46"}
    firms = firms.assign(industry=firms["industry"].map(nace))
    E = load_essentiality(DIEM / "ess_mat_n2_ihs.csv")
    assert E.shape == (89, 89) and "ess_mat_n2_ihs.csv" in E.attrs["basis"]
    model = gl_model(firms, links, E, firms.set_index("id")["industry"])
    e = esri(None, None, None, model=model)  # type: ignore[arg-type]
    assert e.attrs["essentiality_basis"] == E.attrs["basis"]
    assert ((e["esri"] >= 0) & (e["esri"] <= 1)).all()
    top = e["esri"].idxmax()
    c = cascade(None, None, None, {top: 1.0}, model=model)  # type: ignore[arg-type]
    assert c.attrs["esri"] == pytest.approx(e.loc[top, "esri"], abs=1e-12)
    assert c.loc[top, "h"] == 0.0


def test_willems_cli(tmp_path: Path) -> None:
    _need(WILLEMS / "invnet_full")
    from typer.testing import CliRunner

    from jiqun.cli.app import app

    out = tmp_path / "w.xlsx"
    r = CliRunner().invoke(
        app, ["resilience", "willems", str(WILLEMS / "invnet_full" / "24.csv"), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "334" in r.output and "1,245" in r.output and "Willems (2008)" in r.output
    assert len(pd.read_excel(out, sheet_name="stages", engine="openpyxl")) == 334

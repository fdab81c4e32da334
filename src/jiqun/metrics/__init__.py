"""Jiqun regional analytics: the public metrics API.

Every function takes ``X``, a :class:`pandas.DataFrame` with **regions as rows and industries
(or clusters) as columns**, values ``≥ 0``, and returns pandas objects with the same labels.
Where a formula uses national totals, ``reference=`` takes them (a Series per industry; default
the column sums of ``X``). Formulas, sources and the peer convention each function follows
(EconGeo 2.0, REAT 3.0.3, ecomplexity 0.5.3, PySAL) are in ``docs/METHODS.md`` and in each
docstring. Anything dropped or undefined is reported with a :class:`JiqunWarning`.

>>> import pandas as pd
>>> from jiqun import metrics
>>> X = pd.DataFrame({"a": [3.0, 1.0], "b": [1.0, 3.0]}, index=["r1", "r2"])
>>> metrics.krugman_index(X).to_dict()
{'r1': 0.5, 'r2': 0.5}
"""

from jiqun.analytics.complexity import (
    complexity,
    density,
    method_of_reflections,
    proximity,
    relatedness,
)
from jiqun.analytics.concentration import (
    CoagglomerationResult,
    coagglomeration,
    ellison_glaeser,
    gini,
    hoover_concentration,
    locational_gini,
    spatial_gini,
    theil,
)
from jiqun.analytics.dynamics import shift_share
from jiqun.analytics.rca import (
    JiqunWarning,
    diversity,
    location_quotient,
    matrix,
    presence,
    ubiquity,
)
from jiqun.analytics.similarity import (
    homogeneous_competition_table,
    priority_overlap,
    structure_similarity,
)
from jiqun.analytics.spatial import (
    MoranResult,
    getis_ord,
    local_moran,
    morans_i,
    spatial_weights,
)
from jiqun.analytics.specialisation import (
    entropy,
    hachman,
    herfindahl,
    hoover_specialization,
    krugman_bilateral,
    krugman_index,
)
from jiqun.analytics.strength import cluster_stars, cluster_strength, region_cluster_strength

__all__ = [
    "CoagglomerationResult",
    "JiqunWarning",
    "MoranResult",
    "cluster_stars",
    "cluster_strength",
    "coagglomeration",
    "complexity",
    "density",
    "diversity",
    "ellison_glaeser",
    "entropy",
    "getis_ord",
    "gini",
    "hachman",
    "herfindahl",
    "homogeneous_competition_table",
    "hoover_concentration",
    "hoover_specialization",
    "krugman_bilateral",
    "krugman_index",
    "local_moran",
    "location_quotient",
    "locational_gini",
    "matrix",
    "method_of_reflections",
    "morans_i",
    "presence",
    "priority_overlap",
    "proximity",
    "region_cluster_strength",
    "relatedness",
    "shift_share",
    "spatial_gini",
    "spatial_weights",
    "structure_similarity",
    "theil",
    "ubiquity",
]

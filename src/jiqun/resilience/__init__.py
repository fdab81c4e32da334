"""Supply network and resilience (``docs/resilience.md``; ``docs/METHODS.md`` §6).

Network and graph measures (:mod:`jiqun.resilience.network`), the Willems (2008) reader
(:mod:`~jiqun.resilience.willems`), supplier and geographic concentration
(:mod:`~jiqun.resilience.concentration`), the generalized-Leontief cascade and ESRI of Diem et al.
(2022) (:mod:`~jiqun.resilience.esri`) with essentiality matrices
(:mod:`~jiqun.resilience.essentiality`), named scenarios and alternative suppliers
(:mod:`~jiqun.resilience.scenarios`), and time-to-survive / performance impact linear programs
(:mod:`~jiqun.resilience.tts`). All are pure functions of DataFrames; database reading lives in
:mod:`jiqun.services.resilience`.
"""

from jiqun.resilience.concentration import (
    geographic_concentration,
    is_foreign,
    region_at_level,
    single_sourced_share,
    supplier_concentration,
)
from jiqun.resilience.esri import GLModel, cascade, esri, gl_model
from jiqun.resilience.essentiality import (
    DEFAULT_BASIS,
    check_essentiality,
    default_essentiality,
    io_essentiality,
    load_essentiality,
)
from jiqun.resilience.network import (
    SupplyNetwork,
    ThresholdResult,
    build_network,
    dominator_chain,
    downstream_exposure,
    reachable,
    single_points_of_failure,
    threshold_cascade,
)
from jiqun.resilience.scenarios import (
    Scenario,
    ScenarioResult,
    alternative_suppliers,
    firm_failure,
    import_stop,
    region_prefix,
    regional_lockdown,
    run_scenario,
)
from jiqun.resilience.tts import (
    performance_impact,
    risk_exposure,
    time_to_survive,
    willems_tts_inputs,
)
from jiqun.resilience.willems import read_willems

__all__ = [
    "DEFAULT_BASIS",
    "GLModel",
    "Scenario",
    "ScenarioResult",
    "SupplyNetwork",
    "ThresholdResult",
    "alternative_suppliers",
    "build_network",
    "cascade",
    "check_essentiality",
    "default_essentiality",
    "dominator_chain",
    "downstream_exposure",
    "esri",
    "firm_failure",
    "geographic_concentration",
    "gl_model",
    "import_stop",
    "io_essentiality",
    "is_foreign",
    "load_essentiality",
    "performance_impact",
    "reachable",
    "read_willems",
    "region_at_level",
    "region_prefix",
    "regional_lockdown",
    "risk_exposure",
    "run_scenario",
    "single_points_of_failure",
    "single_sourced_share",
    "supplier_concentration",
    "threshold_cascade",
    "time_to_survive",
    "willems_tts_inputs",
]

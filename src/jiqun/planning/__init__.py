"""Planning tools (规划工具): a regional division of labour by comparative advantage, and
what-if for 补链/招商.

* :mod:`jiqun.planning.division` — :func:`division_of_labour`, the mixed-integer program that
  chooses which regions of a group lead which segments of a chain (HiGHS), with the explanation
  of every assignment and a positioning label per region; :func:`greedy_division` and
  :func:`plan_objective` for comparison.
* :mod:`jiqun.planning.whatif` — :func:`~jiqun.planning.whatif.whatif` and
  :func:`~jiqun.planning.whatif.rank_candidates`: what placing a candidate firm (or a profile)
  in a cluster changes in its chain (补链/招商), computed from the stored chain analysis.

Pure functions: pandas in, pandas out, no store, no engine. The advantage table is built by
:mod:`jiqun.services.planning`. Methods: ``docs/planning.md`` and ``docs/METHODS.md`` §11.
"""

from __future__ import annotations

from jiqun.planning import division
from jiqun.planning.division import *  # noqa: F403 (exactly the names of division.__all__)

# one list of the public names, the division module's
__all__ = list(division.__all__)

"""Input–output analysis (投入产出分析): pure pandas in and out, sector labels kept.

- :func:`read_io_table` reads the NBS 42-sector non-competitive-import table and the
  149/153-sector competitive-import tables into an :class:`IOTable`;
- :func:`coefficients`, :func:`allocation_coefficients`, :func:`leontief_inverse`,
  :func:`ghosh_inverse`, :func:`output_multipliers`, :func:`linkages`,
  :func:`hypothetical_extraction`, :func:`key_sectors` do the analysis;
- :func:`to_divisions` carries sector results to GB/T 4754-2017 divisions through the shipped
  mapping ``reference/data/nbs_io42_to_gbt4754.csv``.

Formulas, conventions and sources: ``docs/inputoutput.md``. No store, no web here.
"""

from jiqun.inputoutput import analysis
from jiqun.inputoutput.analysis import *  # noqa: F403 (exactly the names of analysis.__all__)
from jiqun.inputoutput.table import LAYOUTS, IOTable, read_io_table

# the reader's names, then the analysis module's own list (not a second copy of it)
__all__ = ["LAYOUTS", "IOTable", "read_io_table"]
__all__ += analysis.__all__

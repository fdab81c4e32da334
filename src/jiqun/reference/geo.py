"""Great-circle distances between the coordinates of the reference tables and the firm tables.

One haversine formula for every module that measures distances in km (supplier search, chain
links, alternative suppliers), so that they agree to the last digit.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EARTH_RADIUS_KM", "haversine_km"]

#: mean Earth radius (IUGG), km
EARTH_RADIUS_KM = 6371.0088


def haversine_km(
    lon1: float | np.ndarray,
    lat1: float | np.ndarray,
    lon2: float | np.ndarray,
    lat2: float | np.ndarray,
) -> np.ndarray:
    """Great-circle distance in km (haversine formula).

    .. math:: d = 2R\\arcsin\\sqrt{\\sin^2\\tfrac{\\Delta\\varphi}{2} +
              \\cos\\varphi_1\\cos\\varphi_2\\sin^2\\tfrac{\\Delta\\lambda}{2}}

    Parameters
    ----------
    lon1, lat1:
        Origin(s) in degrees.
    lon2, lat2:
        Destination(s) in degrees (NaN gives NaN); scalars and arrays broadcast.

    Returns
    -------
    numpy.ndarray
        Distances in km, R = 6,371.0088 km.

    References
    ----------
    Sinnott (1984), Sky and Telescope 68(2): 159.

    Example
    -------
    >>> round(float(haversine_km(116.4, 39.9, np.array([121.47]), np.array([31.23]))[0]))
    1067
    """
    p1, p2 = np.radians(lat1), np.radians(np.asarray(lat2, dtype=np.float64))
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=np.float64) - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))

"""H3: points to cells, region cell sets, the cell to desa/kecamatan crosswalk."""

from __future__ import annotations

from kamtibmas_geo.grid._cells import ContainMode as ContainMode
from kamtibmas_geo.grid._cells import assign_units as assign_units
from kamtibmas_geo.grid._cells import cell_units as cell_units
from kamtibmas_geo.grid._cells import cells_to_gdf as cells_to_gdf
from kamtibmas_geo.grid._cells import crosswalk as crosswalk
from kamtibmas_geo.grid._cells import points_to_cells as points_to_cells
from kamtibmas_geo.grid._cells import region_cells as region_cells
from kamtibmas_geo.grid._cells import to_cells as to_cells

__all__ = [
    "ContainMode",
    "assign_units",
    "cell_units",
    "cells_to_gdf",
    "crosswalk",
    "points_to_cells",
    "region_cells",
    "to_cells",
]

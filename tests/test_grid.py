from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kamtibmas_geo import RegionError
from kamtibmas_geo.grid._cells import (
    assign_units,
    cell_units,
    cells_to_gdf,
    crosswalk,
    index_points,
    points_to_cells,
    region_cells,
    to_cells,
)

# Cell counts measured on the pack built from the pinned sources (h3 4.x).
EXPECTED_CELLS = {
    ("oki", 7): (3348, 3104),
    ("oki", 8): (22412, 21760),
    ("palembang", 7): (94, 63),
    ("palembang", 8): (527, 441),
}


def test_points_to_cells_equals_loop():
    rng = np.random.default_rng(42)
    lat = rng.uniform(-4.2, -2.5, 250_000)
    lng = rng.uniform(104.3, 106.2, 250_000)
    for res in (0, 5, 9, 15):
        got = points_to_cells(lat, lng, res)
        want = [h3.latlng_to_cell(a, b, res) for a, b in zip(lat[:2000], lng[:2000], strict=True)]
        assert got[:2000].tolist() == want
    # both threads agree with one thread on the whole array
    assert (
        points_to_cells(lat, lng, 9, threads=1) == points_to_cells(lat, lng, 9, threads=2)
    ).all()


@hsettings(max_examples=60, deadline=None)
@given(
    lat=st.floats(-89.9, 89.9, allow_nan=False),
    lng=st.floats(-179.9, 179.9, allow_nan=False),
    res=st.integers(0, 15),
)
def test_points_to_cells_property(lat, lng, res):
    assert points_to_cells([lat], [lng], res).tolist() == [h3.latlng_to_cell(lat, lng, res)]


def test_invalid_points_give_none():
    got = points_to_cells([np.nan, -3.0, 95.0, -3.0], [104.0, np.inf, 104.0, 104.8], 8)
    assert got[:3].tolist() == [None, None, None]
    assert got[3] == h3.latlng_to_cell(-3.0, 104.8, 8)


def test_bad_resolution_is_refused():
    with pytest.raises(ValueError, match="Resolusi H3"):
        points_to_cells([-3.0], [104.0], 16)


def test_to_cells_copies_and_handles_missing():
    pts = gpd.GeoDataFrame(
        {"a": [1, 2, 3]},
        geometry=[shapely.Point(104.75, -2.99), None, shapely.Point(105.0, -3.4)],
        crs=4326,
    ).to_crs(32748)
    out = to_cells(pts, 9)
    assert "hex_id" not in pts.columns
    assert out["hex_id"].iloc[0] == h3.latlng_to_cell(-2.99, 104.75, 9)
    assert pd.isna(out["hex_id"].iloc[1])
    assert out.crs == pts.crs
    assert list(out["a"]) == [1, 2, 3]


@pytest.mark.parametrize(("region", "res"), list(EXPECTED_CELLS))
def test_region_cell_counts(region, res, settings, kabupaten):
    overlap = region_cells(region, res, settings=settings)
    center = region_cells(region, res, contain="center", settings=settings)
    assert (len(overlap), len(center)) == EXPECTED_CELLS[(region, res)]
    assert overlap == sorted(overlap)
    assert set(center) <= set(overlap)
    # center cells: exactly those whose centre is in the kabupaten (independent computation)
    code = {"oki": "16.02", "palembang": "16.71"}[region]
    geom = kabupaten.loc[kabupaten["code"] == code].geometry.iloc[0]
    want = sorted(h3.h3shape_to_cells(h3.geo_to_h3shape(geom.__geo_interface__), res))
    assert center == want
    # overlap cells cover the whole kabupaten
    hexes = shapely.union_all(cells_to_gdf(overlap).geometry.values)
    assert shapely.difference(geom, hexes).area < 1e-9


def test_region_cells_are_unique(settings):
    # at coarse resolutions the parts of a multipolygon region share cells
    cells = region_cells(None, 5, settings=settings)
    assert len(cells) == len(set(cells))
    assert cells == sorted(cells)


def test_unit_cells(settings, desa):
    code = "16.71.07.1004"
    cells = region_cells(res=9, unit=code, settings=settings)
    assert cells
    geom = desa.loc[desa["code"] == code].geometry.iloc[0]
    polys = cells_to_gdf(cells).geometry
    assert polys.intersects(geom).all()
    with pytest.raises(RegionError):
        region_cells(res=9, unit="16.71.99", settings=settings)
    with pytest.raises(RegionError):
        region_cells(res=9, unit="abc", settings=settings)


def test_cells_to_gdf():
    cells = ["878cab600ffffff", "878cab601ffffff", "878cab600ffffff"]
    gdf = cells_to_gdf(cells)
    assert list(gdf["hex_id"]) == ["878cab600ffffff", "878cab601ffffff"]
    assert gdf.crs.to_epsg() == 4326
    assert (gdf.geometry.geom_type == "Polygon").all()
    centre = gdf.geometry.iloc[0].centroid
    assert h3.latlng_to_cell(centre.y, centre.x, 7) == "878cab600ffffff"
    with pytest.raises(RegionError):
        cells_to_gdf(["not-a-cell"])


@pytest.mark.parametrize("level", ["desa", "kecamatan"])
def test_crosswalk_shares(settings, level, desa, kecamatan):
    cw = crosswalk(8, level=level, settings=settings)
    np.testing.assert_allclose(cw.groupby("hex_id")["share_of_cell"].sum(), 1.0, rtol=1e-9)
    np.testing.assert_allclose(cw.groupby("code")["share_of_unit"].sum(), 1.0, rtol=1e-9)
    units = desa if level == "desa" else kecamatan
    assert set(cw["code"]) == set(units["code"])
    # piece areas add up to the units' areas
    summed = cw.groupby("code")["area_km2"].sum().loc[units["code"]]
    np.testing.assert_allclose(summed.to_numpy(), units["area_km2"].to_numpy(), rtol=1e-3)
    assert set(cw["hex_id"]) == set(region_cells(None, 8, settings=settings))


def test_crosswalk_region_filter(settings):
    cw = crosswalk(8, "palembang", settings=settings)
    assert cw["code"].str.startswith("16.71").all()
    np.testing.assert_allclose(cw.groupby("hex_id")["share_of_cell"].sum(), 1.0)


def test_assign_units_seeded_sample(settings, desa):
    rng = np.random.default_rng(7)
    # random points over a box that holds both regions and land outside them
    n = 5000
    lon = rng.uniform(104.2, 106.2, n)
    lat = rng.uniform(-4.3, -2.7, n)
    pts = gpd.GeoDataFrame({"i": np.arange(n)}, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    out = assign_units(pts, settings=settings)
    assert list(out.index) == list(pts.index)
    inside = out["desa_code"].notna().to_numpy()
    assert 0 < inside.sum() < n
    # the reference: which desa polygon contains each point
    poly = desa.set_index("code").geometry
    for i in np.flatnonzero(inside)[:300]:
        assert poly.loc[out["desa_code"].iloc[i]].covers(pts.geometry.iloc[i])
    union = shapely.union_all(desa.geometry.values)
    outside_pts = pts.geometry.values[~inside]
    assert not shapely.intersects(union, outside_pts).any()
    assert (out.loc[inside, "kecamatan_code"] == out.loc[inside, "desa_code"].str[:8]).all()
    assert (out.loc[inside, "kabupaten_code"] == out.loc[inside, "desa_code"].str[:5]).all()


def test_border_points_go_to_smallest_code(settings, desa):
    geoms = desa.geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="touches")
    keep = left < right
    points, expected = [], []
    for i, j in list(zip(left[keep], right[keep], strict=True))[:40]:
        shared = shapely.intersection(geoms[i].boundary, geoms[j].boundary)
        coords = shapely.get_coordinates(shared)
        if len(coords) == 0:
            continue
        pt = shapely.Point(coords[len(coords) // 2])
        if not (geoms[i].intersects(pt) and geoms[j].intersects(pt)):
            continue
        points.append(pt)
        # the point may also touch a third desa where three borders meet
        touching = desa["code"].to_numpy()[shapely.intersects(geoms, pt)]
        expected.append(min(touching))
    assert len(points) >= 20
    out = assign_units(gpd.GeoDataFrame(geometry=points, crs=4326), settings=settings)
    assert list(out["desa_code"]) == expected


def test_cell_units(settings):
    cells = region_cells("palembang", 8, contain="center", settings=settings)
    units = cell_units(cells, settings=settings)
    assert list(units["hex_id"]) == cells
    assert units["kabupaten_code"].eq("16.71").all()


def test_cell_units_border_cells_get_their_largest_desa(settings, desa):
    overlap = set(region_cells("palembang", 8, settings=settings))
    center = set(region_cells("palembang", 8, contain="center", settings=settings))
    border = sorted(overlap - center)
    units = cell_units([*border, "898d888b577ffff"], settings=settings)
    assert units["desa_code"].iloc[:-1].notna().all()
    assert pd.isna(units["desa_code"].iloc[-1])  # far away (Java): no unit
    hexes = cells_to_gdf(border).set_index("hex_id").geometry
    polys = desa.set_index("code").geometry
    for row in units.iloc[:10].itertuples():
        own = hexes.loc[row.hex_id].intersection(polys.loc[row.desa_code]).area
        others = polys[polys.intersects(hexes.loc[row.hex_id])]
        assert own >= max(hexes.loc[row.hex_id].intersection(g).area for g in others) - 1e-15


# --------------------------------------------------------------------------- own boundaries

UNIT_COLS = [
    "desa_code",
    "desa_name",
    "kecamatan_code",
    "kecamatan_name",
    "kabupaten_code",
    "kabupaten_name",
]


def test_assign_units_own_boundaries(own_desa):
    # inside desa 1 (SW), inside desa 4 (NE), on the 1|2 border, on the corner of all
    # four, outside the region
    xy = [(120.01, -4.99), (120.03, -4.97), (120.02, -4.99), (120.02, -4.98), (121.0, -4.0)]
    pts = gpd.GeoDataFrame(
        {"i": range(5)}, geometry=gpd.points_from_xy(*zip(*xy, strict=True)), crs=4326
    )
    pts.index = [5, 4, 3, 2, 1]
    before = pts.copy()
    out = assign_units(pts, boundaries=own_desa)
    assert_geodataframe_equal(pts, before)
    assert list(out.index) == [5, 4, 3, 2, 1]
    assert list(out.columns) == [*pts.columns, *UNIT_COLS]
    assert out.crs == pts.crs
    codes = out["desa_code"].tolist()
    assert codes[:4] == ["99.01.01.2001", "99.01.02.2004", "99.01.01.2001", "99.01.01.2001"]
    assert pd.isna(codes[4])
    assert out["desa_name"].iloc[1] == "Desa 4"
    assert out["kecamatan_name"].iloc[1] == "Timur"
    assert out["kabupaten_name"].iloc[:4].eq("Kabupaten Contoh").all()
    assert out.iloc[4][UNIT_COLS].isna().all()
    # the boundary pack knows none of these points
    assert assign_units(pts)["desa_code"].isna().all()


def test_assign_units_own_boundaries_any_crs_and_optional_columns(own_desa):
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([120.03], [-4.99]), crs=4326)
    utm = own_desa[["code", "geometry"]].to_crs(32751)
    utm["code"] = utm["code"].str.replace(".", "", regex=False)  # codes are any text
    out = assign_units(pts, boundaries=utm)
    assert out["desa_code"].item() == "9901022002"
    for col in UNIT_COLS[1:]:
        assert pd.isna(out[col].item()), col


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda g: g.drop(columns="code"), "tidak punya kolom.*'code'"),
        (lambda g: g.set_geometry(g.geometry.representative_point()), "Polygon/Multi"),
        (lambda g: g.set_geometry(g.geometry.boundary), "Polygon/MultiPolygon"),
        (lambda g: g.set_crs(None, allow_override=True), "CRS"),
        (lambda g: g.assign(code=["99.01.01.2001"] * 4), "unik.*dissolve"),
        (lambda g: g.assign(code=[None, "a", "b", "c"]), "perlu kode"),
        (lambda g: g.iloc[:0], "tidak berisi poligon"),
        (lambda g: pd.DataFrame(g.drop(columns="geometry")), "harus GeoDataFrame"),
    ],
)
def test_assign_units_own_boundaries_are_checked(own_desa, change, match):
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([120.01], [-4.99]), crs=4326)
    bad = change(own_desa)
    with pytest.raises(RegionError, match=match) as err:
        assign_units(pts, boundaries=bad)
    assert isinstance(err.value, ValueError)
    with pytest.raises(RegionError, match=match):
        cell_units(["88950568c1fffff"], boundaries=bad)


def test_cell_units_own_boundaries(own_desa):
    union = shapely.union_all(own_desa.geometry.values)
    shape = h3.geo_to_h3shape(union.__geo_interface__)
    cells = sorted(h3.h3shape_to_cells_experimental(shape, 8, contain="overlap"))
    far = h3.latlng_to_cell(-4.5, 120.5, 8)
    units = cell_units([*cells, far], boundaries=own_desa.to_crs(32751))
    assert list(units["hex_id"]) == [*cells, far]
    assert units["desa_code"].iloc[:-1].notna().all()  # every overlapping cell has a desa
    assert units.iloc[-1][UNIT_COLS].isna().all()
    polys = own_desa.set_index("code").geometry
    hexes = cells_to_gdf(cells).set_index("hex_id").geometry
    n_border = 0
    for row in units.iloc[:-1].itertuples():
        lat, lng = h3.cell_to_latlng(row.hex_id)
        centre = shapely.Point(lng, lat)
        holding = sorted(polys.index[polys.intersects(centre)])
        if holding:  # the desa holding the centre (the smallest code on a border)
            assert row.desa_code == holding[0]
        else:  # a border cell: the desa holding most of it
            n_border += 1
            hexagon = hexes.loc[row.hex_id]
            areas = shapely.area(shapely.intersection(polys.to_numpy(), hexagon))
            assert row.desa_code == polys.index[int(np.argmax(areas))]
    assert n_border > 0
    assert set(units["kecamatan_code"].iloc[:-1]) == {"99.01.01", "99.01.02"}


def test_errors_are_indonesian_with_english_on_request(own_desa):
    with pytest.raises(RegionError) as err:
        cells_to_gdf(["898cab621d7ffff", "bukan-sel"])
    assert str(err.value).startswith("Kode sel H3 tidak sah: ['bukan-sel']")
    assert err.value.text("en") == "Not valid H3 cell ids: ['bukan-sel']."
    with pytest.raises(RegionError) as err:
        points_to_cells([-3.0, -3.1], [104.0], 9)
    assert isinstance(err.value, ValueError)
    assert str(err.value).startswith("lat dan lng harus sama panjang")
    assert err.value.text("en") == "lat and lng must have the same length, got 2 and 1."
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([120.01], [-4.99]), crs=4326)
    with pytest.raises(RegionError) as err:
        assign_units(pts, boundaries=own_desa.iloc[:0])
    assert "tidak berisi poligon" in str(err.value)
    assert err.value.text("en").startswith("boundaries hold no polygons")


def test_index_points_is_points_to_cells_without_the_check():
    lat, lng = [-2.9911, float("nan"), -3.2], [104.7567, 104.0, 105.0]
    assert index_points(lat, lng, 9).tolist() == points_to_cells(lat, lng, 9).tolist()


# --------------------------------------------------------------------------- fast paths


def _mixed_points(desa: gpd.GeoDataFrame, tiles) -> np.ndarray:
    """Random points, points on desa borders (vertices) and points on tile edges."""
    rng = np.random.default_rng(3)
    x0, y0, x1, y1 = shapely.total_bounds(desa.geometry.values)
    lon = rng.uniform(x0 - 0.05, x1 + 0.05, 20_000)
    lat = rng.uniform(y0 - 0.05, y1 + 0.05, 20_000)
    verts = shapely.get_coordinates(desa.geometry.boundary.values)
    verts = verts[rng.choice(len(verts), 6_000, replace=False)]
    gx = rng.integers(0, tiles.nx, 4_000)
    gy = rng.integers(0, tiles.ny, 4_000)
    edge_lon = tiles.x0 + gx * tiles.size  # exactly on a tile's west edge
    edge_lat = tiles.y0 + (gy + rng.uniform(0, 1, 4_000)) * tiles.size
    return shapely.points(
        np.concatenate([lon, verts[:, 0], edge_lon]), np.concatenate([lat, verts[:, 1], edge_lat])
    )


def test_assign_units_through_tiles_equals_polygons(settings, desa):
    from kamtibmas_geo.grid._cells import _INDEX_MIN, _assign, _pack_tile_index

    tiles = _pack_tile_index(settings)
    pts = gpd.GeoDataFrame(geometry=_mixed_points(desa, tiles), crs=4326)
    assert len(pts) >= _INDEX_MIN  # the tile path is taken
    fast = assign_units(pts, settings=settings)
    slow = _assign(pts, desa)  # every point tested against the polygons
    assert_geodataframe_equal(fast, slow)
    assert fast["desa_code"].notna().mean() > 0.5
    # the tiles hold most of the area
    assert (tiles.desa >= 0).sum() > 1_000_000


def test_pure_tiles_touch_one_desa_only(settings, desa):
    from kamtibmas_geo.grid._cells import _pack_tile_index
    from kamtibmas_geo.grid._units import _tile_desa

    tiles = _pack_tile_index(settings)
    pts = _mixed_points(desa, tiles)
    lon, lat = shapely.get_x(pts), shapely.get_y(pts)
    hit = _tile_desa(lon, lat, tiles)
    rows = np.flatnonzero(hit >= 0)[:3000]
    assert len(rows) > 1000
    pos, unit = shapely.STRtree(pts[rows]).query(desa.geometry.values, predicate="intersects")[::-1]
    touching = pd.Series(unit).groupby(pos).agg(list)
    assert len(touching) == len(rows)
    assert all(touching.iloc[i] == [hit[rows[i]]] for i in range(len(rows)))


def test_tile_index_overlapping_and_shared_borders():
    from kamtibmas_geo.grid._units import build_tile_index, desa_positions

    geoms = np.array(
        [
            shapely.box(0.0, 0.0, 0.05, 0.05),
            shapely.box(0.05, 0.0, 0.1, 0.05),  # shares the border x = 0.05
            shapely.box(0.02, 0.02, 0.03, 0.03),  # inside the first (bad data)
            shapely.Polygon([(0.06, 0.0), (0.1, 0.04), (0.1, 0.0)]),  # overlaps the second
        ]
    )
    index = build_tile_index(geoms)
    assert (index.desa >= 0).any()
    assert not (index.desa >= 2).any()  # overlapped tiles are never pure... of the later ones
    grid = np.linspace(-0.001, 0.101, 205)
    lon, lat = (a.ravel() for a in np.meshgrid(grid, grid[:110]))
    lon = np.concatenate([lon, [0.05, 0.025, 0.08, np.nan, np.inf]])
    lat = np.concatenate([lat, [0.01, 0.025, 0.01, 0.0, 0.01]])
    fast = desa_positions(lon, lat, geoms, index=index)
    slow = desa_positions(lon, lat, geoms)
    assert (fast == slow).all()
    assert fast[-5:].tolist() == [0, 0, 1, -1, -1]  # border, overlap: smallest; no point


def test_cells_u64_and_strings_at_the_edge():
    from kamtibmas_geo.grid._cells import cell_strings, cells_u64

    lat = np.array([-2.9911, np.nan, -3.2, 95.0])
    lng = np.array([104.7567, 104.0, 105.1, 104.0])
    got = cells_u64(lat, lng, 9)
    assert got.dtype == np.uint64
    want = [h3.str_to_int(h3.latlng_to_cell(-2.9911, 104.7567, 9)), 0]
    assert got[:2].tolist() == want
    assert got[3] == 0
    assert cell_strings(got).tolist() == [
        "898cab621d7ffff",
        None,
        h3.latlng_to_cell(-3.2, 105.1, 9),
        None,
    ]


def test_desa_rows_place_like_assign_units(settings, desa):
    from kamtibmas_geo.grid._cells import _pack_tile_index, desa_rows

    pts = _mixed_points(desa, _pack_tile_index(settings))
    lon, lat = shapely.get_x(pts), shapely.get_y(pts)
    lon[:10] = np.nan
    rows, table = desa_rows(lon, lat, settings=settings)
    want = assign_units(gpd.GeoDataFrame(geometry=pts, crs=4326), settings=settings)
    got = table.iloc[rows[rows >= 0]].reset_index(drop=True)
    assert (rows[:10] == -1).all()
    placed = want[rows >= 0].reset_index(drop=True)
    for col in table.columns:
        assert got[col].tolist() == placed[col].tolist(), col
    assert want["desa_code"][rows < 0].iloc[10:].isna().all()

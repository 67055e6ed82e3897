from __future__ import annotations

import warnings

import h3
import numpy as np
import pytest

from kamtibmas_geo._errors import ScoreError
from kamtibmas_geo.score._gistar import (
    fdr_bh,
    gi_bins,
    gi_labels,
    gi_star,
    min_permutations,
    neighbour_matrix,
)
from kamtibmas_geo.score._warnings import SparseInferenceWarning

CENTRE = "8865a2a8b5fffff"  # res 8, in OKI


@pytest.fixture(scope="module")
def cells() -> list[str]:
    return sorted(h3.grid_disk(CENTRE, 8))  # 217 cells


def _esda(y: np.ndarray, cells: list[str], transform: str, perms: int, seed: int):  # type: ignore[no-untyped-def]
    from esda.getisord import G_Local
    from libpysal.weights import W

    index = set(cells)
    neigh = {c: sorted(n for n in h3.grid_disk(c, 1) if n in index and n != c) for c in cells}
    w = W(neigh, id_order=cells, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return G_Local(y, w, transform=transform, star=True, permutations=perms, seed=seed)


def test_neighbour_matrix_edges(cells: list[str]) -> None:
    a = neighbour_matrix(cells, 1)
    card = np.asarray(a.sum(axis=1)).ravel()
    assert card.max() == 7
    assert card.min() == 4  # corners of the big hexagon
    assert (a.diagonal() == 1).all()
    assert (a != a.T).nnz == 0


@pytest.mark.parametrize(("weights", "transform"), [("binary", "B"), ("row", "R")])
def test_z_scores_match_esda(cells: list[str], weights: str, transform: str) -> None:
    rng = np.random.default_rng(3)
    y = rng.poisson(1.5, len(cells)).astype(float)
    ours = gi_star(y, cells, weights=weights, inference="count")  # type: ignore[arg-type]
    ref = _esda(y, cells, transform, 0, 1)
    np.testing.assert_allclose(ours.z, ref.Zs, atol=1e-6)
    np.testing.assert_allclose(ours.g, ref.Gs, atol=1e-12)


def test_permutation_p_match_esda_within_mc_error(cells: list[str]) -> None:
    rng = np.random.default_rng(4)
    y = rng.gamma(1.0, 2.0, len(cells))
    y[:20] += 6  # some structure so that p spans the range
    perms = 9999
    with pytest.raises(ScoreError, match="terlalu sedikit"):
        gi_star(y, cells, inference="permutation", permutations=99)
    ours = gi_star(y, cells, inference="permutation", permutations=perms, seed=1)
    ref = _esda(y, cells, "B", perms, 2)
    # esda's p_sim is the folded one-sided p: the smaller of our two one-sided p-values.
    one_sided = np.minimum(ours.p_hot, ours.p_cold)
    # Monte Carlo error of two independent estimates of p: sd = sqrt(2 p (1 - p) / D).
    sd = np.sqrt(2 * ref.p_sim * (1 - ref.p_sim) / perms) + 1e-4
    assert (np.abs(one_sided - ref.p_sim) < 5 * sd).all()
    assert np.corrcoef(one_sided, ref.p_sim)[0, 1] > 0.99
    # the p-value corrected by FDR is the two-sided one, twice esda's
    np.testing.assert_allclose(ours.p, np.minimum(1.0, 2 * one_sided))


def test_count_exact_and_monte_carlo_agree(cells: list[str]) -> None:
    rng = np.random.default_rng(5)
    y = rng.poisson(0.3, len(cells)).astype(float)
    y[100] += 6
    exact = gi_star(y, cells)
    mc = gi_star(y, cells, count_method="monte_carlo", permutations=19999, seed=2)
    sd = np.sqrt(exact.p_hot * (1 - exact.p_hot) / 19999) + 1 / 20000
    assert (np.abs(mc.p_hot - exact.p_hot) < 5 * sd + 1e-3).all()
    assert exact.bin[100] == 3


def test_seeded_determinism(cells: list[str]) -> None:
    y = np.random.default_rng(6).poisson(1.0, len(cells)).astype(float)
    a = gi_star(y, cells, inference="permutation", permutations=5000, seed=9)
    b = gi_star(y, cells, inference="permutation", permutations=5000, seed=9)
    np.testing.assert_array_equal(a.p, b.p)


def test_fdr_bh_known_values() -> None:
    q = fdr_bh([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    np.testing.assert_allclose(q[:5], [0.01, 0.04, 0.084, 0.084, 0.084], atol=1e-12)
    assert q.max() <= 1


def test_bins_and_labels() -> None:
    bins = gi_bins([2.0, 1.0, -1.0, 3.0, -2.0], [0.001, 0.03, 0.07, 0.2, 0.009])
    assert bins.tolist() == [3, 2, -1, 0, -3]
    assert gi_labels(bins) == [
        "Titik panas 99%",
        "Titik panas 95%",
        "Titik dingin 90%",
        "Tidak signifikan",
        "Titik dingin 99%",
    ]
    assert gi_labels([2], "en") == ["Hot spot, 95% confidence"]


def test_min_permutations_message() -> None:
    assert min_permutations(23000, 0.05, k=1) == 65714
    assert min_permutations(23000, 0.05, k=1, two_sided=True) == 131428
    y = np.ones(50)
    with pytest.raises(ScoreError, match="Pakai minimal"):
        gi_star(
            y,
            neighbour_matrix(sorted(h3.grid_disk(CENTRE, 4))[:50]),
            inference="permutation",
            permutations=9,
        )


def test_bad_input() -> None:
    with pytest.raises(ScoreError, match="jumlah kejadian bulat"):
        gi_star([0.5, 1.0, 2.0], ["8865a2a8b5fffff", "8865a2a8b1fffff", "8865a2a8b7fffff"])
    with pytest.raises(ScoreError, match=">= 0"):
        gi_star([-1.0, 1.0], ["8865a2a8b5fffff", "8865a2a8b1fffff"])


# ---------------------------------------------------------------- calibration on sparse counts


@pytest.fixture(scope="module")
def oki8(settings):  # type: ignore[no-untyped-def]
    from kamtibmas_geo.grid._cells import region_cells

    cells = region_cells("oki", 8, settings=settings)
    area = np.array([h3.cell_area(c, unit="km^2") for c in cells])
    return cells, neighbour_matrix(cells, 1), area


def _poisson(n: int, seed: int, rate: float = 0.1) -> np.ndarray:
    return np.random.default_rng(seed).poisson(rate, n).astype(float)


def test_count_inference_calibrated_on_sparse_counts(oki8) -> None:  # type: ignore[no-untyped-def]
    cells, a, area = oki8
    assert len(cells) > 20_000
    seeds_flagging = 0
    for seed in range(20):
        res = gi_star(_poisson(len(cells), seed), a, exposure=area)
        seeds_flagging += int((res.p_fdr <= 0.05).any())
    assert seeds_flagging <= 1


def test_count_inference_finds_planted_hotspot(oki8) -> None:  # type: ignore[no-untyped-def]
    cells, a, area = oki8
    index = {c: i for i, c in enumerate(cells)}
    centre = cells[len(cells) // 2]
    disk = [index[c] for c in h3.grid_disk(centre, 1) if c in index]
    found = 0
    for seed in range(5):
        y = _poisson(len(cells), 100 + seed)
        # realistic strength: 1.5 incidents per cell in one neighbourhood, 15× the background
        y[disk] += np.random.default_rng(seed).poisson(1.5, len(disk))
        res = gi_star(y, a, exposure=area)
        found += int(res.bin[index[centre]] >= 2)
        hot = np.flatnonzero(res.bin >= 2)
        # what is flagged lies next to the planted neighbourhood
        assert all(h3.grid_distance(cells[i], centre) <= 2 for i in hot)
    assert found >= 4


def test_permutation_inference_over_flags_same_data(oki8) -> None:  # type: ignore[no-untyped-def]
    # Pure noise. esda's folded p-value, min(larger, D - larger), counts ties as "larger":
    # a cell whose neighbourhood holds no incident ties with nearly every draw, gets the
    # smallest p-value and passes the FDR correction as a cold spot. The two-sided
    # p-value corrected here (as for the count null) does not; the warning stays.
    cells, a, area = oki8
    need = min_permutations(len(cells), 0.05, k=1, two_sided=True)
    folded_flags = []
    perm_flags = []
    count_flags = []
    for seed in range(2):
        y = _poisson(len(cells), seed)
        with pytest.warns(SparseInferenceWarning, match="hitungan jarang") as told:
            perm = gi_star(y, a, inference="permutation", permutations=need, seed=seed)
        assert "sparse counts" in told[0].message.text("en")  # type: ignore[union-attr]
        larger = np.rint(perm.p_hot * (need + 1) - 1)
        folded = (np.minimum(larger, need - larger) + 1) / (need + 1)
        folded_flags.append(int((fdr_bh(folded) <= 0.05).sum()))
        perm_flags.append(int((perm.p_fdr <= 0.05).sum()))
        count_flags.append(int((gi_star(y, a, exposure=area).p_fdr <= 0.05).sum()))
    assert min(folded_flags) > 50
    assert perm_flags == [0, 0]
    assert count_flags == [0, 0]


def test_permutation_continuous_values_cell_by_cell(cells: list[str]) -> None:
    # > _MAX_GROUPS distinct values force the cell-by-cell path (esda's shared id matrix)
    big = sorted(h3.grid_disk(CENTRE, 30))
    rng = np.random.default_rng(8)
    y = rng.gamma(1.0, 2.0, len(big))
    perms = 999
    ours = gi_star(y, big, inference="permutation", permutations=perms, seed=1, check_draws=False)
    ref = _esda(y, big, "B", perms, 2)
    sd = np.sqrt(2 * ref.p_sim * (1 - ref.p_sim) / perms) + 1e-3
    one_sided = np.minimum(ours.p_hot, ours.p_cold)
    assert np.mean(np.abs(one_sided - ref.p_sim) < 4 * sd) > 0.99
    np.testing.assert_allclose(ours.z, ref.Zs, atol=1e-6)

"""Teams per Polsek (largest remainder) and routes that fit a window (PyVRP).

Private helpers of :mod:`kamtibmas_geo.plan._patrol`. See ``docs/planning.md``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Route",
    "RouteProblem",
    "allocate_teams",
    "nearest_neighbour_order",
    "road_metres",
    "route_length",
    "solve_routes",
]

#: Prize of the riskiest stop; the least material stop still outweighs any detour.
_PRIZE_SCALE = 10**7


def allocate_teams(risk: Mapping[str, float], teams: int) -> dict[str, int]:
    """Split ``teams`` over Polsek in proportion to their risk (largest remainder).

    Hamilton's method: each Polsek gets the whole part of its quota ``teams × share``, the
    teams left go to the largest remainders (ties: the larger risk, then the name). Then
    every Polsek with material risk gets at least one team, taken from the Polsek furthest
    above its quota; when there are fewer teams than such Polsek, the riskiest get one each.
    A Polsek without material risk (risk 0) gets none.

    Parameters
    ----------
    risk : mapping of str to float
        Material risk of each Polsek in the window (>= 0).
    teams : int
        Teams the Polres has for the window.

    Returns
    -------
    dict of str to int
        Teams per Polsek (every key of ``risk``), summing to ``teams`` when any risk is
        positive, else all zero.

    Examples
    --------
    >>> allocate_teams({"A": 6.0, "B": 3.0, "C": 1.0, "D": 0.0}, 5)
    {'A': 3, 'B': 1, 'C': 1, 'D': 0}
    """
    keys = sorted(risk, key=lambda k: (-float(risk[k]), k))
    vals = np.array([max(0.0, float(risk[k])) for k in keys])
    out = dict.fromkeys(risk, 0)
    total = vals.sum()
    if total <= 0 or teams <= 0:
        return out
    quota = teams * vals / total
    seats = np.floor(quota).astype(int)
    order = sorted(range(len(keys)), key=lambda i: (-(quota[i] - seats[i]), -vals[i], keys[i]))
    for i in order[: teams - int(seats.sum())]:
        seats[i] += 1
    first = [i for i in range(len(keys)) if vals[i] > 0][:teams]
    for i in first:
        if seats[i] == 0:
            donor = max(
                (j for j in range(len(keys)) if seats[j] >= (2 if j in first else 1)),
                key=lambda j: (seats[j] - quota[j], -j),
            )
            seats[donor] -= 1
            seats[i] = 1
    out.update({k: int(s) for k, s in zip(keys, seats, strict=True)})
    return out


@dataclass(frozen=True)
class RouteProblem:
    """One Polsek in one window: where the teams start, the stops offered, the budget.

    Attributes
    ----------
    metres : ndarray
        Travel distance (m) between places; place 0 is the start, place ``k + 1`` stop ``k``.
    prize : ndarray
        Risk of each offered stop (> 0).
    teams : int
        Teams available.
    budget_s : int
        Length of the window, seconds: every route (out, stops, back) must fit in it.
    dwell_s : int
        Time spent at each stop, seconds.
    speed_ms : float
        Travel speed, metres per second.
    priority : ndarray of bool, optional
        Stops that come first (early warnings): each is worth more than all the other
        stops together, whatever its risk.
    """

    metres: np.ndarray
    prize: np.ndarray
    teams: int
    budget_s: int
    dwell_s: int
    speed_ms: float
    priority: np.ndarray | None = None


@dataclass(frozen=True)
class Route:
    """A team's route: the stops (indices into the offered stops) in order, with times.

    Attributes
    ----------
    stops : list of int
    arrive_s : list of int
        Arrival at each stop, seconds after the window opens.
    length_m : float
        Out, between the stops and back to the start.
    duration_s : int
        Travel plus dwell, seconds.
    """

    stops: list[int]
    arrive_s: list[int]
    length_m: float
    duration_s: int


def solve_routes(problem: RouteProblem, *, iterations: int, seed: int) -> list[Route]:
    """Choose and order the stops of every team with PyVRP (prize-collecting VRP).

    Every stop is optional and carries its risk as prize (scaled so that risk always wins
    over distance) and the window as its time window (arrive by its end less the dwell);
    every team leaves place 0 when the window opens and is back before it closes (vehicle
    time window and shift duration). The search stops after ``iterations`` iterations with a fixed
    ``seed``, so the same problem always gives the same routes (no time limit).

    Returns
    -------
    list of Route
        Non-empty routes, ordered by their riskiest stop.
    """
    from pyvrp import Model
    from pyvrp.stop import MaxIterations

    metres = np.minimum(np.asarray(problem.metres, dtype=float), 1e9)  # unconnected: far
    seconds = np.ceil(metres / problem.speed_ms).astype(np.int64)
    dist = np.rint(metres).astype(np.int64)
    prize = _prizes(problem)
    model = Model()
    places = [model.add_location(x=0, y=0) for _ in range(len(metres))]
    budget = int(problem.budget_s)
    depot = model.add_depot(places[0], tw_early=0, tw_late=budget)
    model.add_vehicle_type(
        num_available=problem.teams,
        start_depot=depot,
        end_depot=depot,
        tw_early=0,
        tw_late=budget,
        shift_duration=budget,
    )
    for k in range(1, len(places)):
        model.add_client(
            places[k],
            service_duration=int(problem.dwell_s),
            tw_early=0,
            tw_late=max(0, budget - int(problem.dwell_s)),
            prize=int(prize[k - 1]),
            required=False,
        )
    for a in range(len(places)):
        for b in range(len(places)):
            if a != b:  # indices: the locations all sit at (0, 0) and compare equal
                model.add_edge(
                    places[a], places[b], distance=int(dist[a, b]), duration=int(seconds[a, b])
                )
    result = model.solve(stop=MaxIterations(iterations), seed=seed, display=False)
    routes = [_route(r, metres) for r in result.best.routes()] if result.best.is_feasible() else []
    routes = [r for r in routes if r.stops]
    return sorted(
        routes, key=lambda r: (-prize[r.stops].max(), -problem.prize[r.stops].max(), r.stops)
    )


def _prizes(problem: RouteProblem) -> np.ndarray:
    """Integer prizes: risk scaled to ``_PRIZE_SCALE``; a priority stop above all of them."""
    first = np.zeros(len(problem.prize), dtype=bool)
    if problem.priority is not None:
        first = np.asarray(problem.priority, dtype=bool)
    risk = np.asarray(problem.prize, dtype=float)
    top = float(risk[~first].max()) if (~first).any() else 0.0
    prize = np.maximum(1, np.rint(risk / top * _PRIZE_SCALE)) if top > 0 else np.ones(len(risk))
    prize[first] = _PRIZE_SCALE * (len(risk) + 1)
    return prize


def _route(route: object, metres: np.ndarray) -> Route:
    """Our Route from a PyVRP route (its client activities in order)."""
    acts = [a for a in route if a.is_client()]  # type: ignore[attr-defined]
    stops = [int(a.idx) for a in acts]
    arrive = [int(a.start_time) for a in acts]
    return Route(stops, arrive, route_length(metres, stops), int(route.duration()))  # type: ignore[attr-defined]


def route_length(metres: np.ndarray, stops: list[int]) -> float:
    """Length (m) of start → stops in order → start; stop ``k`` is place ``k + 1``."""
    path = [0, *(s + 1 for s in stops), 0]
    return float(sum(metres[a, b] for a, b in itertools.pairwise(path)))


def nearest_neighbour_order(metres: np.ndarray, stops: list[int]) -> list[int]:
    """Return the same stops in nearest-neighbour order from the start (for comparison)."""
    left = list(stops)
    order: list[int] = []
    here = 0
    while left:
        nxt = min(left, key=lambda s: (metres[here, s + 1], s))
        order.append(nxt)
        left.remove(nxt)
        here = nxt + 1
    return order


def road_metres(roads_xy: list[np.ndarray], points: np.ndarray) -> np.ndarray:
    """Shortest road distances (m) between points, over a network of polylines in metres.

    Vertices closer than a metre are joined; each point enters the network at its nearest
    vertex (the straight walk to it is added). Points the network does not connect are
    ``inf`` apart.

    Parameters
    ----------
    roads_xy : list of ndarray
        Each road as an ``(n, 2)`` array of projected coordinates (metres).
    points : ndarray
        ``(m, 2)`` projected coordinates.

    Returns
    -------
    ndarray
        ``(m, m)`` distances.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra
    from scipy.spatial import cKDTree

    verts = np.vstack(roads_xy)
    keys, node = np.unique(np.rint(verts).astype(np.int64), axis=0, return_inverse=True)
    node = node.ravel()
    starts = np.cumsum([0, *(len(r) for r in roads_xy)])
    a = np.concatenate([node[s : e - 1] for s, e in itertools.pairwise(starts)])
    b = np.concatenate([node[s + 1 : e] for s, e in itertools.pairwise(starts)])
    w = np.linalg.norm(keys[a] - keys[b], axis=1)
    n = len(keys)
    graph = coo_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n)).tocsr()
    snap, near = cKDTree(keys).query(points)
    net = dijkstra(graph, directed=False, indices=near)[:, near]
    out = net + snap[:, None] + snap[None, :]
    np.fill_diagonal(out, 0.0)
    return np.asarray(out)

"""Poskamling placement (exact MCLP) and patrol plans."""

from __future__ import annotations

from kamtibmas_geo.plan._patrol import PatrolOptions as PatrolOptions
from kamtibmas_geo.plan._patrol import allocate_teams as allocate_teams
from kamtibmas_geo.plan._patrol_export import patrol_files as patrol_files
from kamtibmas_geo.plan._poskamling import CoverModel as CoverModel
from kamtibmas_geo.plan._poskamling import PoskamlingOptions as PoskamlingOptions
from kamtibmas_geo.plan._poskamling import PoskamlingPlan as PoskamlingPlan
from kamtibmas_geo.plan._poskamling import patrol_html as patrol_html
from kamtibmas_geo.plan._poskamling import patrol_plan as patrol_plan
from kamtibmas_geo.plan._poskamling import plan_poskamling as plan_poskamling
from kamtibmas_geo.plan._poskamling import read_places as read_places

__all__ = [
    "CoverModel",
    "PatrolOptions",
    "PoskamlingOptions",
    "PoskamlingPlan",
    "allocate_teams",
    "patrol_files",
    "patrol_html",
    "patrol_plan",
    "plan_poskamling",
    "read_places",
]

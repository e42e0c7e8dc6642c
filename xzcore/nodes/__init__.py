"""Milestones (节点, 倒排工期) and the pipeline 签约 → 开工 → 竣工 → 投产 (DESIGN.md §9): node
templates as data, 倒排 from a target date, node states on a day, the pipeline's counts,
rates and exception lists, node files with undo."""

from xzcore.nodes import frame, importer, model, pipeline, schedule, states, store, templates
from xzcore.nodes.model import STATES, NodeSettings, state, words

__all__ = [
    "STATES",
    "NodeSettings",
    "frame",
    "importer",
    "model",
    "pipeline",
    "schedule",
    "state",
    "states",
    "store",
    "templates",
    "words",
]

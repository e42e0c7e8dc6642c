"""Problems to coordinate (问题协调 / 督办, DESIGN.md §8): the ledger, its steps with their role
and unit checks, 三色督办, figures, proposals from the monthly reports."""

from xzcore.problems import ledger, model, proposals, store
from xzcore.problems.ledger import counts, history, mine, month_figures, sentence, totals
from xzcore.problems.model import CATEGORIES, CLOSURES, SOURCES, STATES, Thresholds, colours

__all__ = [
    "CATEGORIES",
    "CLOSURES",
    "SOURCES",
    "STATES",
    "Thresholds",
    "colours",
    "counts",
    "history",
    "ledger",
    "mine",
    "model",
    "month_figures",
    "proposals",
    "sentence",
    "store",
    "totals",
]

"""A Plotly figure made to be drawn many times and never changed: its dict is made once.

A server renders the same figure for every session's rerun; Streamlit's st.plotly_chart asks the
figure for to_dict() each time, which deep-copies every trace (10,000 points of customdata are
10,000 little lists) and converts numpy arrays to base64 again: a third of a 10,000-project
page's CPU. A Frozen figure answers with the dict it made when it was built. Nothing may change
it afterwards: every caller gets that same dict, so it must only be read (st.plotly_chart only
reads it, to serialise it).
"""

from __future__ import annotations

import plotly.graph_objects as go


class Frozen(go.Figure):
    def __init__(self, figure: go.Figure):
        super().__init__(figure)
        self._frozen_dict = super().to_dict()

    def to_dict(self) -> dict:
        return self._frozen_dict

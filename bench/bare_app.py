"""The bare stack the dashboard is measured against: Streamlit with one Plotly chart of 113 bars
and one table of 113 rows (the demo district's size), nothing else."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

rows = np.random.default_rng(1).uniform(0, 100, 113)
names = [f"项目{i:03d}" for i in range(113)]
st.plotly_chart(go.Figure(go.Bar(x=names, y=rows)), width="stretch")
st.dataframe(pd.DataFrame({"项目": names, "完成率": rows}), hide_index=True)

"""Router only: page config and navigation. Each page lives in pages/ and only draws."""

import streamlit as st

from ui.shell import PAGES, configure

configure()
st.navigation(PAGES).run()

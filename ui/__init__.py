"""Streamlit glue shared by the pages: cached data access and shared controls. Draws nothing big."""

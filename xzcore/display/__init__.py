"""Display: DataFrames and numbers in, text, tables and Plotly figures out (formats, charts,
the map, slide content, projector styling, CSV escaping). Never touches the store."""

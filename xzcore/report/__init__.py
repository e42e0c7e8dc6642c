"""The monthly 晾晒 bulletin: gathered once (bulletin.gather), then written as a PDF (pdf), an
Excel workbook (workbook) and chart images (images).

Kept free of imports here: WeasyPrint, kaleido and openpyxl take most of a second to load, and
`python -m xzcore summary` should not pay for them. Import the submodule you need.
"""

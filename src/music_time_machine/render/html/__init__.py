"""HTML pages: one self-contained file each (page.py), charts drawn as SVG (svg.py)."""

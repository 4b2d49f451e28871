"""Rendering a scene of simple shapes: as SVG (`svg`) and as PNG with Pillow (`png`).

Nothing here knows about run charts: `guides.measurement.charts` decides what to draw.
"""

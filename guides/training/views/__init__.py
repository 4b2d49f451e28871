"""The training app's views: modules.py for the modules, their items and sharing,
handouts.py for the print views and PDFs, access.py for who may have which module."""

from guides.training.views.access import STALE

__all__ = ["STALE"]

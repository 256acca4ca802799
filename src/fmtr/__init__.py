"""fmtr: the open, verified database of the US Foreign Military Training reports."""

__version__ = "0.1.0"

"""Kinxpro Desktop: an Amazon seller's workstation app."""

from kinxpro_desktop._version import __version__

__all__ = ["__version__"]

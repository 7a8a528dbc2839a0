"""Serval: open-source IT service management on the ITIL 4 service value system."""

__version__ = "0.1.0.dev0"

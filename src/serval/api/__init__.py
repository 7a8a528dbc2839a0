"""The REST API (DESIGN.md §4). Importing the package first shares ninja's response wrappers."""

from serval.api import ninja_cache

ninja_cache.install()

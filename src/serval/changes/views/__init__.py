"""Change pages, one module per concept (core: list, form, page; risk; schedule; review)."""

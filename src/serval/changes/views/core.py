"""Change pages: list, create, the change page and its forms (to be built)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

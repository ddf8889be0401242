"""Figures in the dashboards' tables: a dash where nothing was counted, never a zero
that was not one."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()

DASH = "—"


@register.filter
def share(value: float | None) -> str:
    """0.873 → '87 %'."""
    return DASH if value is None else f"{number_format(round(value * 100))} %"


@register.filter
def decimal(value: float | None, places: int = 1) -> str:
    return DASH if value is None else number_format(value, decimal_pos=places)


@register.filter
def count(value: int | None) -> str:
    return DASH if value is None else number_format(value, force_grouping=True)

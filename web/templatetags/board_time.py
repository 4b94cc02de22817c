"""Template filters for clinical times."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def time_left(seconds: int | None) -> str:
    """Seconds as a clinician reads a clock: "3 h 05 min left", "40 min left", "2 h 10 min
    overdue" (negative: past due)."""
    if seconds is None:
        return ""
    past = seconds < 0
    minutes = abs(int(seconds)) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        text = f"{days} d {hours} h"
    elif hours:
        text = f"{hours} h {minutes:02d} min"
    else:
        text = f"{minutes} min"
    return f"{text} overdue" if past else f"{text} left"

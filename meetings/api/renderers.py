"""Renderers of documents the meetings app has already rendered (iCalendar, HTML, PDF): DRF
passes them through unchanged; errors and metadata stay JSON."""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import BaseRenderer


class Prerendered(BaseRenderer):
    """The response's data is the finished document."""

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


class ICalendarRenderer(Prerendered):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"


class HTMLDocumentRenderer(Prerendered):
    """A document rendered to HTML by its template."""

    media_type = "text/html"
    format = "html"
    charset = "utf-8"


class PDFRenderer(Prerendered):
    """A document rendered to PDF by WeasyPrint."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

"""The board's documents over the API: a signed decision's letter and patient summary, and a
meeting's pre-meeting packet. HTML by default, PDF with ``?format=pdf`` (or
``Accept: application/pdf``); errors are JSON like everywhere else.

Every document names a patient, so every read of one is audited (a decision's: one row for its
patient; a packet's: one row per patient it shows). The packet's metadata names no patient and
is not. File names carry the decision's number or the meeting's id, never a patient's name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.audit import audit_reads, audit_record
from cases.exceptions import Conflict
from cases.models import AuditAction
from cases.permissions import Perm
from tumorboard.api_base import acting_user

from .. import documents, selectors, services
from ..models import Decision, Meeting, MeetingPacket, PacketStatus
from .renderers import HTMLDocumentRenderer, PDFRenderer

HTML_TYPE = "text/html; charset=utf-8"
PDF_TYPE = "application/pdf"


class _DocumentView(APIView):
    """Documents answer HTML or PDF; anything else they answer (an error, metadata) is JSON.
    An unknown ``?format=`` is a 400 naming it (DRF would answer a bare 404)."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            formats = ", ".join(r.format for r in self.get_renderers() if r.format)
            raise ValidationError({"format": [f"Choose one of: {formats}."]}) from None

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and not getattr(response, "is_document", False):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
            response.content_type = None
        return response


def _document(body: str | bytes, *, filename: str) -> Response:
    """The document as the answer: PDF as an attachment, HTML inline; never cached."""
    pdf = isinstance(body, bytes)
    response = Response(body, content_type=PDF_TYPE if pdf else HTML_TYPE)
    response.is_document = True  # type: ignore[attr-defined]
    disposition = "attachment" if pdf else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _wants_pdf(request: Request) -> bool:
    return getattr(request.accepted_renderer, "format", "") == "pdf"


_DOCUMENT_RESPONSES = {
    (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="The document (HTML)."),
    (200, PDF_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The document (PDF)."),
    (404, "application/json"): OpenApiResponse(description="Not a decision of your boards."),
    (409, "application/json"): OpenApiResponse(description="The decision is a draft."),
}


class _DecisionDocumentView(_DocumentView):
    """A signed decision's document, for the members of its board (``view_board``)."""

    renderer_classes = [HTMLDocumentRenderer, PDFRenderer]
    name_in_file: str
    what: str
    render_html: Callable[[Decision], str]

    def get(self, request: Request, pk: int) -> Response:
        decision = get_object_or_404(
            documents.decisions_for_documents(selectors.decisions_for_user(request.user)), pk=pk
        )
        self.check_object_permissions(request, decision)
        if not decision.is_signed:
            raise Conflict(
                f"This decision is a draft: only a signed decision has a {self.what}. "
                "Sign it first.",
                field="decision",
            )
        html = type(self).render_html(decision)
        pdf = _wants_pdf(request)
        body: str | bytes = documents.html_to_pdf(html) if pdf else html
        audit_record(
            user=request.user,
            action=AuditAction.VIEW,
            obj=decision,
            detail=f"{self.what} ({'pdf' if pdf else 'html'})",
        )
        filename = documents.document_filename(
            decision, self.name_in_file, "pdf" if pdf else "html"
        )
        return _document(body, filename=filename)


class DecisionLetterView(_DecisionDocumentView):
    """The decision letter for the referring physician: the patient's identification, the
    question, the recommendation per modality, rationale, NOMS, dissent, preferences, trial,
    actions and the scores the board saw. An amendment says what it replaces and why."""

    name_in_file = "letter"
    what = "decision letter"
    render_html = staticmethod(documents.letter_html)

    @extend_schema(responses=_DOCUMENT_RESPONSES)
    def get(self, request: Request, pk: int) -> Response:
        return super().get(request, pk)


class DecisionPatientSummaryView(_DecisionDocumentView):
    """The plain-language summary for the patient: what the board recommends, what it
    weighed, and what happens next. No scores."""

    name_in_file = "patient-summary"
    what = "patient summary"
    render_html = staticmethod(documents.patient_summary_html)

    @extend_schema(responses=_DOCUMENT_RESPONSES)
    def get(self, request: Request, pk: int) -> Response:
        return super().get(request, pk)


# --- The pre-meeting packet --------------------------------------------------------------------


class MeetingPacketSerializer(serializers.ModelSerializer[MeetingPacket]):
    current = serializers.SerializerMethodField(
        help_text="Built for the meeting's current agenda version."
    )
    html_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = MeetingPacket
        fields = [
            "id",
            "meeting",
            "agenda_version",
            "revision",
            "status",
            "cases",
            "error",
            "requested_by",
            "created_at",
            "built_at",
            "current",
            "html_url",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_current(self, obj: MeetingPacket) -> bool:
        return bool(obj.agenda_version == obj.meeting.agenda_version)

    def _url(self, obj: MeetingPacket, fmt: str) -> str | None:
        if obj.status != PacketStatus.READY:
            return None
        return reverse("meeting-packet", args=[obj.meeting_id]) + f"?format={fmt}"

    def get_html_url(self, obj: MeetingPacket) -> str | None:
        return self._url(obj, "html")

    def get_pdf_url(self, obj: MeetingPacket) -> str | None:
        return self._url(obj, "pdf")


class MeetingPacketReadSerializer(MeetingPacketSerializer):
    newer_attempt = serializers.SerializerMethodField(
        help_text="A later build still running or failed (null when the packet shown is the "
        "latest attempt)."
    )

    class Meta(MeetingPacketSerializer.Meta):
        fields = [*MeetingPacketSerializer.Meta.fields, "newer_attempt"]
        read_only_fields = fields

    @extend_schema_field(MeetingPacketSerializer(allow_null=True))
    def get_newer_attempt(self, obj: MeetingPacket) -> Any:
        attempt = self.context.get("attempt")
        if attempt is None or attempt.pk == obj.pk:
            return None
        return MeetingPacketSerializer(attempt, context=self.context).data


class _PacketRead:
    """What the audit log records of a packet read: the packet, once per patient it shows
    (``cases.audit.audit_reads`` takes the patient and board from these attributes)."""

    _meta = MeetingPacket._meta

    def __init__(self, packet: MeetingPacket, patient_id: int, board_id: int) -> None:
        self.pk = packet.pk
        self.patient_id = patient_id
        self.board_id = board_id


class MeetingPacketView(_DocumentView):
    """A meeting's pre-meeting packet. GET (members): the latest ready packet's metadata and
    links; ``?format=html`` or ``?format=pdf`` answers the packet itself (audited per patient).
    POST (coordinators, ``manage_meetings``): rebuild it now for the current agenda (the next
    revision), answering the new packet's metadata."""

    renderer_classes = [JSONRenderer, HTMLDocumentRenderer, PDFRenderer]
    write_permission = Perm.MANAGE_MEETINGS

    def _meeting(self, request: Request, pk: int) -> Meeting:
        meeting = get_object_or_404(selectors.meetings_for_user(request.user), pk=pk)
        self.check_object_permissions(request, meeting)
        return meeting

    @extend_schema(
        responses={
            (200, "application/json"): MeetingPacketReadSerializer,
            (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="The packet."),
            (200, PDF_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The packet."),
            (404, "application/json"): OpenApiResponse(description="No packet is ready yet."),
        }
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = self._meeting(request, pk)
        packets = MeetingPacket.objects.filter(meeting=meeting).order_by(
            "-agenda_version", "-revision", "-pk"
        )
        fmt = getattr(request.accepted_renderer, "format", "json")
        if fmt in ("html", "pdf"):
            fields = ["pk", "agenda_version", "revision", "patient_ids", fmt]
            ready = packets.filter(status=PacketStatus.READY).only(*fields).first()
            if ready is None:
                raise NotFound(self._none_ready(meeting))
            audit_reads(
                user=request.user,
                action=AuditAction.VIEW,
                objects=[
                    _PacketRead(ready, patient_id, meeting.board_id)
                    for patient_id in ready.patient_ids
                ],
            )
            name = f"meeting-{meeting.pk}-packet-v{ready.agenda_version}.{ready.revision}.{fmt}"
            return _document(bytes(ready.pdf) if fmt == "pdf" else ready.html, filename=name)
        light = packets.defer("html", "pdf").select_related("meeting")
        ready = light.filter(status=PacketStatus.READY).first()
        if ready is None:
            raise NotFound(self._none_ready(meeting))
        context = {"request": request, "attempt": light.first()}
        return Response(MeetingPacketReadSerializer(ready, context=context).data)

    @staticmethod
    def _none_ready(meeting: Meeting) -> str:
        last = (
            MeetingPacket.objects.filter(meeting=meeting)
            .order_by("-agenda_version", "-revision", "-pk")
            .only("status", "error")
            .first()
        )
        if last is not None and last.status == PacketStatus.FAILED:
            return f"No packet is ready for this meeting: the last build failed. {last.error}"
        if last is not None and last.status == PacketStatus.BUILDING:
            return "No packet is ready for this meeting yet: it is being built."
        return (
            "No packet has been built for this meeting yet. It is built "
            f"{meeting.board.packet_offset_hours} hours before the meeting; a coordinator "
            "can build it now (POST)."
        )

    @extend_schema(request=None, responses={201: MeetingPacketSerializer})
    def post(self, request: Request, pk: int) -> Response:
        meeting = self._meeting(request, pk)
        packet = services.packet_build(meeting=meeting, requested_by=acting_user(request))
        if packet is None:  # never: a requested rebuild claims its own revision or raises
            raise Conflict(field="packet")
        fresh = (
            MeetingPacket.objects.defer("html", "pdf").select_related("meeting").get(pk=packet.pk)
        )
        data = MeetingPacketSerializer(fresh, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)

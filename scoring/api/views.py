"""The stateless calculators: no patient data, any signed-in user. (A case's stored scores are
part of its clinical record: ``cases.api``.)"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scoring.domain import CALCULATORS, ScoringInputError

from .serializers import CalculatorResultSerializer, CalculatorSerializer


class CalculatorListView(APIView):
    """Every calculator with its input schema: fields, options and their labels.

    Stateless and free of patient data, so any signed-in user may use them.
    """

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=CalculatorSerializer(many=True))
    def get(self, request: Request) -> Response:
        data = CalculatorSerializer(
            CALCULATORS.values(), many=True, context={"request": request}
        ).data
        return Response(data)


class CalculatorDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def _calculator(self, name: str) -> Any:
        try:
            return CALCULATORS[name]
        except KeyError as exc:
            raise Http404(f"No calculator '{name}'.") from exc

    @extend_schema(responses=CalculatorSerializer)
    def get(self, request: Request, calculator: str) -> Response:
        """The calculator's input schema."""
        found = self._calculator(calculator)
        return Response(CalculatorSerializer(found, context={"request": request}).data)

    @extend_schema(
        request={"application/json": {"type": "object", "additionalProperties": True}},
        responses={200: CalculatorResultSerializer},
        examples=[
            OpenApiExample(
                "SINS",
                value={
                    "location": "junctional",
                    "pain": "mechanical",
                    "bone_lesion": "lytic",
                    "alignment": "normal",
                    "vertebral_body_collapse": "lt_50_percent",
                    "posterolateral_involvement": "unilateral",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, calculator: str) -> Response:
        """Evaluate: keys are the spec's component keys, values its option keys (or raw values
        where the spec allows them). Errors: 400 ``{"errors": {"<field>": ["..."]}}``.
        """
        found = self._calculator(calculator)
        if not isinstance(request.data, dict):
            return Response(
                {"errors": {"non_field_errors": ["Send a JSON object of component keys."]}},
                status=400,
            )
        try:
            result = found.evaluate(dict(request.data))
        except ScoringInputError as exc:
            errors = {key: list(messages) for key, messages in exc.errors.items()}
            return Response({"errors": errors}, status=400)
        return Response(result.as_dict())

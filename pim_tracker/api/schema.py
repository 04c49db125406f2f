"""How the OpenAPI schema describes what every endpoint shares: its error
answers (schemathesis checks them), If-Match, and file downloads."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.renderers import BaseRenderer, JSONRenderer

ERRORS = {
    400: OpenApiResponse(description="Invalid input: field-level messages."),
    401: OpenApiResponse(description="No or invalid credentials."),
    403: OpenApiResponse(description="Not allowed for this account or token."),
    404: OpenApiResponse(description="No such object, or not visible to you."),
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag you read: if the object changed since, the answer is 412.",
)
WRITE_ERRORS = {**ERRORS, 412: OpenApiResponse(description="If-Match does not match the ETag.")}


class FileRenderer(BaseRenderer):
    """Lets file downloads through content negotiation; errors still come as JSON."""

    media_type = "*/*"
    format = "file"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, "application/json", renderer_context)


def api_schema(serializer, *, destroy: bool = True):
    """Document the error responses of every standard action."""
    actions = {
        "list": extend_schema(responses={200: serializer(many=True), **ERRORS}),
        "retrieve": extend_schema(responses={200: serializer, **ERRORS}),
        "create": extend_schema(responses={201: serializer, **ERRORS}),
        "update": extend_schema(parameters=[IF_MATCH], responses={200: serializer, **WRITE_ERRORS}),
        "partial_update": extend_schema(
            parameters=[IF_MATCH], responses={200: serializer, **WRITE_ERRORS}
        ),
    }
    if destroy:
        actions["destroy"] = extend_schema(responses={204: None, **ERRORS})
    return extend_schema_view(**actions)


# A viewset whose router matches its ids by digits only (lookup_value_regex = "[0-9]+",
# so that /comments/abc/ is a 404) gets its id described as a string of that pattern.
DIGITS = {"type": "string", "pattern": "^[0-9]+$"}


def integer_path_ids(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]):
    an id in a path matched by digits is an integer, as every other id in a path, so
    that generated clients type it `int`."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"] == DIGITS:
                    parameter["schema"] = {"type": "integer"}
    return result

"""The OpenAPI document: where it is served and how pydantic models appear in it."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

from litestar import Request, Response, Router, get
from litestar.enums import MediaType
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, OpenAPI, Schema
from litestar.plugins.pydantic import PydanticSchemaPlugin
from litestar.status_codes import HTTP_404_NOT_FOUND

from ..problems import from_status
from ..response_headers import declare_response_headers
from .dependencies import SECURITY_SCHEMES
from .errors import respond

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition

_REF_TEMPLATE = "#/components/schemas/{model}"
_DOCS = "/docs"


class _HeaderDeclaringConfig(OpenAPIConfig):
    """Build a document whose responses declare the headers they carry."""

    def to_openapi_schema(self) -> OpenAPI:
        """Return the document Litestar fills with the routes."""
        base = super().to_openapi_schema()
        return _HeaderDeclaringDocument(
            **{field.name: getattr(base, field.name) for field in fields(base)}
        )


class _HeaderDeclaringDocument(OpenAPI):
    """An OpenAPI document that declares ``X-Request-ID`` and ``Retry-After``."""

    def to_schema(self) -> dict[str, Any]:
        """Return the document as JSON data, every response's headers declared."""
        return declare_response_headers(super().to_schema())


def openapi_config(title: str, version: str) -> OpenAPIConfig:
    """Serve Swagger UI at ``/docs`` and the document at ``/docs/openapi.json``."""
    return _HeaderDeclaringConfig(
        title=title,
        version=version,
        path=_DOCS,
        render_plugins=[SwaggerRenderPlugin()],
        components=Components(security_schemes=dict(SECURITY_SCHEMES)),
        openapi_router=Router(
            _DOCS,
            route_handlers=[],
            include_in_schema=False,
            after_request=_missing_page_as_problem,
        ),
    )


def _missing_page_as_problem(response: Response[Any]) -> Response[Any]:
    """Answer ``/docs/<no such page>`` with the 404 problem, not an HTML page."""
    if response.status_code == HTTP_404_NOT_FOUND:
        return respond(from_status(HTTP_404_NOT_FOUND))
    return response


@get(
    "/openapi.json",
    media_type=MediaType.JSON,
    include_in_schema=False,
    sync_to_thread=False,
)
def openapi_document(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Serve the OpenAPI document at the root too, where clients look first."""
    return request.app.openapi_schema.to_schema()


class PydanticJsonSchemaPlugin(PydanticSchemaPlugin):
    """Describe each pydantic model's fields with pydantic's own JSON schema.

    Litestar's translation drops constraints nested in ``Optional`` (lengths,
    patterns) and ignores ``extra="forbid"``, so its document would promise
    input that the service refuses with 422. Litestar still registers each
    model (and the models it nests) as a component; pydantic fills it in.
    """

    @classmethod
    def for_pydantic_model(
        cls, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        """Return the model's component schema, its fields as pydantic sees them."""
        schema = super().for_pydantic_model(field_definition, schema_creator)
        described = field_definition.annotation.model_json_schema(
            ref_template=_REF_TEMPLATE
        )
        schema.description = described.get("description")
        schema.properties = described["properties"]
        schema.required = described.get("required")
        schema.additional_properties = described.get("additionalProperties")
        return schema

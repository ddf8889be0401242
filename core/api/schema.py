from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

from core.api.errors import ErrorSerializer


class ErrorDocumentingAutoSchema(AutoSchema):
    """Adds the error responses an operation can actually give to the OpenAPI schema, so
    clients (and schemathesis) know a 400 or 404 has the ErrorSerializer shape."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        error_codes = ["400"] if self._accepts_input() else []
        if self.method in ("POST", "PUT", "PATCH"):
            error_codes.append("413")  # a body past GILIRAN_API_MAX_BODY_BYTES
        if "{" in self.path:
            error_codes.append("404")
        # Refusals the view declares (409 full, 410 expired, 429 rate limited…).
        error_codes += [str(code) for code in getattr(self.view, "error_statuses", ())]
        if self.view.get_permissions() and not all(
            p.__class__.__name__ == "AllowAny" for p in self.view.get_permissions()
        ):
            error_codes += ["401", "403"]
        for code in error_codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code)
        return responses

    def _accepts_input(self) -> bool:
        if self.method in ("POST", "PUT", "PATCH"):
            return True
        return bool(self._get_filter_parameters()) or bool(self._get_pagination_parameters())

    def _get_filter_parameters(self) -> list[dict[str, Any]]:
        """Say in the schema what the filter forms really accept: text without NUL
        characters (Django refuses them), and an empty choice meaning "no filter"."""
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if schema.get("type") != "string":
                continue
            if "enum" in schema:
                if "" not in schema["enum"]:
                    schema["enum"] = [*schema["enum"], ""]
            else:
                schema.setdefault("pattern", "^[^\\u0000]*$")
        return parameters

"""Request router of the Defender API emulator."""

from __future__ import annotations

import urllib.parse
from http import HTTPStatus

from emulator_alerts_api import AlertsEndpoint
from emulator_control import ControlEndpoint
from emulator_graph_api import GraphAlertsEndpoint
from emulator_http import defender_error
from emulator_tokens import TokenEndpoints


class EmulatorHandler(TokenEndpoints, GraphAlertsEndpoint, AlertsEndpoint, ControlEndpoint):
    """Routes one request to the token, alerts or control endpoint by its path."""

    def do_GET(self) -> None:
        self.route("GET")

    def do_POST(self) -> None:
        self.route("POST")

    def do_DELETE(self) -> None:
        self.route("DELETE")

    def route(self, method: str) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        segments = [urllib.parse.unquote(part) for part in parsed.path.split("/") if part]
        try:
            body = self.read_body()
        except ValueError as error:
            self.send_json(HTTPStatus.BAD_REQUEST, {"error": str(error)})
            return

        if len(segments) >= 2 and segments[0] == "api" and segments[1] == "alerts" and len(segments) <= 3:
            if method != "GET":
                self.send_json(HTTPStatus.METHOD_NOT_ALLOWED, defender_error("MethodNotAllowed", "Use GET."))
                return
            alert_id = segments[2] if len(segments) == 3 else None
            self.handle_alerts(parsed.query, alert_id)
        elif segments == ["v1.0", "security", "alerts_v2"]:
            self.handle_graph_alerts(method, parsed.query)
        elif len(segments) == 4 and segments[1:] == ["oauth2", "v2.0", "token"]:
            self.handle_token(method, segments[0], body, version=2)
        elif len(segments) == 3 and segments[1:] == ["oauth2", "token"]:
            self.handle_token(method, segments[0], body, version=1)
        elif segments and segments[0] == "_emulator":
            self.handle_control(method, segments[1:], body)
        else:
            self.send_json(HTTPStatus.NOT_FOUND, defender_error("ResourceNotFound", f"No route for {parsed.path}."))

"""Entra ID token endpoints (v1 and v2 client credentials) of the Defender API emulator."""

from __future__ import annotations

import base64
import json
import secrets
import time
import urllib.parse
import uuid
from dataclasses import asdict
from http import HTTPStatus
from typing import Any

from emulator_http import EmulatorRequestHandler
from emulator_state import EmulatorConfig, IssuedToken


def base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(payload: dict[str, Any]) -> str:
    """Build a JWT-shaped token. The signature is random bytes: nothing verifies it."""
    header = {"typ": "JWT", "alg": "RS256", "kid": "defender-emulator"}
    return ".".join((
        base64url(json.dumps(header, separators=(",", ":")).encode()),
        base64url(json.dumps(payload, separators=(",", ":")).encode()),
        base64url(secrets.token_bytes(64)),
    ))



class TokenEndpoints(EmulatorRequestHandler):
    """Handlers of POST /{tenant}/oauth2/v2.0/token and POST /{tenant}/oauth2/token."""

    def handle_token(self, method: str, tenant: str, body: bytes, version: int) -> None:
        endpoint = f"token_v{version}"
        with self.state.lock:
            self.state.count_call(endpoint)
        if method != "POST":
            self.send_token_error(endpoint, 400, "invalid_request", 900561, "The token endpoint only accepts POST requests.")
            return
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        with self.state.lock:
            config = EmulatorConfig(**asdict(self.state.config))

        if tenant.lower() != config.tenant_id.lower():
            self.send_token_error(endpoint, 400, "invalid_request", 90002,
                                  f"Tenant '{tenant}' not found. Check the tenant id and the cloud.")
            return
        if form.get("grant_type") != "client_credentials":
            self.send_token_error(endpoint, 400, "unsupported_grant_type", 70003,
                                  f"The grant type '{form.get('grant_type', '')}' is not supported here.")
            return
        client_id = form.get("client_id", "")
        if not client_id:
            self.send_token_error(endpoint, 400, "invalid_request", 900144,
                                  "The request body must contain the parameter 'client_id'.")
            return
        if client_id.lower() != config.client_id.lower():
            self.send_token_error(endpoint, 400, "unauthorized_client", 700016,
                                  f"Application with identifier '{client_id}' was not found in the directory '{tenant}'.")
            return
        secret = form.get("client_secret", "")
        if not secret:
            self.send_token_error(endpoint, 401, "invalid_client", 7000216,
                                  "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
            return
        if secret != config.client_secret:
            self.send_token_error(endpoint, 401, "invalid_client", 7000215,
                                  f"Invalid client secret provided. Send the secret's value, not its ID, for app '{client_id}'.")
            return
        if config.expired_secret:
            self.send_token_error(endpoint, 401, "invalid_client", 7000222,
                                  f"The client secret keys of app '{client_id}' are expired.")
            return

        if version == 2:
            scope = form.get("scope", "")
            if not scope:
                self.send_token_error(endpoint, 400, "invalid_request", 900144,
                                      "The request body must contain the parameter 'scope'.")
                return
            if not scope.endswith("/.default") or " " in scope.strip():
                self.send_token_error(endpoint, 400, "invalid_scope", 1002012,
                                      f"The scope '{scope}' is not valid: the client credentials flow needs one scope ending in /.default.")
                return
            audience = scope[: -len("/.default")]
        else:
            audience = form.get("resource", "")
            if not audience:
                self.send_token_error(endpoint, 400, "invalid_request", 900144,
                                      "The request body must contain the parameter 'resource'.")
                return

        self.issue_token(endpoint, config, client_id, audience, version)

    def issue_token(self, endpoint: str, config: EmulatorConfig, client_id: str, audience: str, version: int) -> None:
        issued_at = int(time.time())
        lifetime = config.token_lifetime
        payload = {
            "aud": audience,
            "iss": f"https://sts.windows.net/{config.tenant_id}/",
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + lifetime,
            "appid": client_id,
            "tid": config.tenant_id,
            "roles": list(config.roles),
            "oid": str(uuid.uuid4()),
            "jti": secrets.token_hex(8),
            "ver": "1.0",
        }
        token = make_jwt(payload)
        with self.state.lock:
            self.state.tokens[token] = IssuedToken(
                client_id=client_id,
                tenant_id=config.tenant_id,
                roles=list(config.roles),
                expires_at=time.monotonic() + lifetime,
            )
            self.state.stats["tokens_issued"] += 1
            self.state.count_response(endpoint, 200)

        if version == 2:
            body: dict[str, Any] = {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                                    "access_token": token}
        else:
            # The v1 endpoint sends every number as a string.
            body = {"token_type": "Bearer", "expires_in": str(lifetime), "ext_expires_in": str(lifetime),
                    "expires_on": str(issued_at + lifetime), "not_before": str(issued_at),
                    "resource": audience, "access_token": token}
        self.send_json(HTTPStatus.OK, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def send_token_error(self, endpoint: str, status: int, error: str, code: int, message: str) -> None:
        trace_id = str(uuid.uuid4())
        correlation_id = str(uuid.uuid4())
        timestamp = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
        body = {
            "error": error,
            "error_description": (f"AADSTS{code}: {message}\r\nTrace ID: {trace_id}\r\n"
                                  f"Correlation ID: {correlation_id}\r\nTimestamp: {timestamp}"),
            "error_codes": [code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"{self.base_url}/error?code={code}",
        }
        with self.state.lock:
            errors = self.state.stats["token_errors"]
            errors[str(code)] = errors.get(str(code), 0) + 1
            self.state.count_response(endpoint, status)
        self.send_json(status, body)

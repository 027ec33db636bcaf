"""Amazon Bedrock Agents action group handler: ``quickstock.bedrock.lambda_handler``.

One Lambda serves both kinds of action group (``messageVersion`` 1.0):

- **function details** — the event has ``function`` and ``parameters``; define the group with
  ``function_definitions.json`` (shipped beside this file);
- **OpenAPI schema** — the event has ``apiPath``, ``httpMethod``, ``parameters`` and
  ``requestBody``; define the group with ``openapi.json`` (shipped beside this file).

Actions: ``forecast``, ``what_if``, ``explain``, ``recommend_orders`` (``quickstock.actions``).
Every parameter value arrives as a string and is converted per parameter. The handler never
raises: a bad or missing parameter answers ``REPROMPT`` / HTTP 400 naming it; an action not in
the installed quickstock answers ``REPROMPT`` / HTTP 501 saying so (the agent can tell the user);
an unknown action answers ``FAILURE`` / 404; a model or engine failure ``FAILURE`` / 500.

The model comes from ``$QUICKSTOCK_MODEL_DIR`` (see ``quickstock.actions``), loaded once per
Lambda execution environment and reused across invocations. Answers are kept to
``$QUICKSTOCK_MAX_BODY_BYTES`` (default 20000) bytes of JSON, with a ``truncated`` marker.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from ..actions import ActionError, run

__all__ = ["lambda_handler", "OPENAPI_PATH", "FUNCTIONS_PATH", "handle"]

#: The OpenAPI schema of the action group (upload it, or paste it into the console).
OPENAPI_PATH = Path(__file__).with_name("openapi.json")
#: The function details of the action group (``functionSchema.functions``).
FUNCTIONS_PATH = Path(__file__).with_name("function_definitions.json")

_STATUS = {"invalid": 400, "unavailable": 501, "unknown": 404, "failure": 500}
_STATE = {"invalid": "REPROMPT", "unavailable": "REPROMPT", "unknown": "FAILURE", "failure": "FAILURE"}


def _max_body() -> int:
    try:
        return max(1000, int(os.environ.get("QUICKSTOCK_MAX_BODY_BYTES", "20000")))
    except ValueError:
        return 20000


def _collect(event: dict[str, Any]) -> dict[str, Any]:
    """Parameter name → string value, from ``parameters`` and the request body properties."""
    out: dict[str, Any] = {}

    def add(items: Any, where: str) -> None:
        if items is None:
            return
        if not isinstance(items, list):
            raise ActionError("invalid", f"{where} must be a list of name/type/value objects", where)
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise ActionError("invalid", f"every entry of {where} needs a name", where)
            name = item["name"]
            if name in out and out[name] != item.get("value"):
                raise ActionError("invalid", f"parameter {name!r} is given twice with different values", name)
            out[name] = item.get("value")

    add(event.get("parameters"), "parameters")
    body = event.get("requestBody")
    if isinstance(body, dict):
        for ctype, content in (body.get("content") or {}).items():
            if isinstance(content, dict):
                add(content.get("properties"), "requestBody")
    return out


def handle(event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Run the action an event asks for: ``(HTTP-like status, JSON-ready result or error)``."""
    if event.get("messageVersion") != "1.0":
        raise ActionError("failure", f"unsupported messageVersion {event.get('messageVersion')!r}; "
                          "Amazon Bedrock agents send '1.0'", "messageVersion")
    if "function" in event:
        name = str(event.get("function") or "")
    else:
        path = str(event.get("apiPath") or "")
        name = path.strip("/")
        method = str(event.get("httpMethod") or "").upper()
        if method and method not in ("POST", "GET"):
            raise ActionError("unknown", f"no operation {method} {path}; use POST /{name}")
    return 200, run(name, _collect(event))


def _respond(event: dict[str, Any], status: int, text: str, state: str | None) -> dict[str, Any]:
    response: dict[str, Any]
    if "function" in event or "apiPath" not in event:
        fr: dict[str, Any] = {"responseBody": {"TEXT": {"body": text}}}
        if state is not None:
            fr["responseState"] = state
        response = {"actionGroup": event.get("actionGroup", ""), "function": event.get("function", ""),
                    "functionResponse": fr}
    else:
        response = {
            "actionGroup": event.get("actionGroup", ""),
            "apiPath": event.get("apiPath", ""),
            "httpMethod": event.get("httpMethod", ""),
            "httpStatusCode": status,
            "responseBody": {"application/json": {"body": text}},
        }
    out = {"messageVersion": "1.0", "response": response}
    for key in ("sessionAttributes", "promptSessionAttributes"):
        if isinstance(event.get(key), dict):
            out[key] = event[key]
    return out


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """AWS Lambda entry point of a Bedrock Agents action group (both kinds); never raises.

    Args:
        event: the Bedrock Agents input event (``messageVersion`` 1.0).
        context: the Lambda context (unused).

    Returns:
        The Bedrock Agents response: ``functionResponse`` with a ``TEXT`` body for
        function-details groups, ``httpStatusCode`` and an ``application/json`` body (a JSON
        string) for OpenAPI groups; ``sessionAttributes`` and ``promptSessionAttributes``
        echoed.
    """
    from ..actions import fit_to_size

    if not isinstance(event, dict):
        event = {}
    try:
        status, result = handle(event)
        return _respond(event, status, fit_to_size(result, _max_body()), None)
    except ActionError as err:
        return _respond(event, _STATUS[err.kind], json.dumps(err.to_dict()), _STATE[err.kind])
    except Exception as exc:  # noqa: BLE001 - never raise out of the handler
        print(f"quickstock.bedrock: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        err = ActionError("failure", f"internal error: {type(exc).__name__}: {exc}")
        return _respond(event, 500, json.dumps(err.to_dict()), "FAILURE")


def write_schemas(directory: str | os.PathLike[str] | None = None) -> None:
    """(Re)write ``openapi.json`` and ``function_definitions.json`` from ``quickstock.actions``."""
    from ..actions import function_definitions, openapi_schema

    d = Path(directory) if directory is not None else OPENAPI_PATH.parent
    (d / OPENAPI_PATH.name).write_text(json.dumps(openapi_schema(), indent=2) + "\n")
    (d / FUNCTIONS_PATH.name).write_text(json.dumps(function_definitions(), indent=2) + "\n")


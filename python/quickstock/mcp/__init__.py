"""An MCP (Model Context Protocol) tool server on stdio: ``python -m quickstock.mcp``.

Tools ``forecast``, ``what_if``, ``explain`` and ``recommend_orders`` — the same actions, argument
rules, model source (``$QUICKSTOCK_MODEL_DIR``) and availability rule as the Bedrock handler
(``quickstock.actions``).

The wire protocol (JSON-RPC 2.0, one JSON message per line on stdin/stdout: ``initialize``,
``notifications/initialized``, ``ping``, ``tools/list``, ``tools/call``) is implemented here with
the standard library, so the server needs no extra package; stdout carries only protocol
messages (anything else printed goes to stderr). A failing tool call answers a result with
``isError: true`` and a message naming the parameter at fault; an unknown tool or a malformed
request answers a JSON-RPC error. The server exits when stdin closes.

Register it with an MCP client, e.g.::

    {"mcpServers": {"quickstock": {"command": "python3", "args": ["-m", "quickstock.mcp"],
                                   "env": {"QUICKSTOCK_MODEL_DIR": "/path/to/model"}}}}
"""

from __future__ import annotations

import json
import sys
from typing import IO, Any

__all__ = ["PROTOCOL_VERSIONS", "Server", "main"]

#: Protocol revisions the server speaks, newest first.
PROTOCOL_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, INTERNAL_ERROR = -32700, -32600, -32601, -32602, -32603


class _RpcError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class Server:
    """The MCP server: :meth:`handle` answers one JSON-RPC message (``None`` for notifications)."""

    def __init__(self) -> None:
        self.initialized = False
        self.client: dict[str, Any] = {}

    # -- methods ----------------------------------------------------------------------------
    def initialize(self, params: dict[str, Any]) -> dict[str, Any]:
        """Agree on the protocol version (the client's if supported, else the newest)."""
        import quickstock as qs

        asked = params.get("protocolVersion")
        self.client = params.get("clientInfo") or {}
        return {
            "protocolVersion": asked if asked in PROTOCOL_VERSIONS else PROTOCOL_VERSIONS[0],
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": "quickstock", "title": "quickstock demand forecasting", "version": qs.__version__},
            "instructions": "Demand forecasts for SKU x store series: call forecast with a unique_id; what_if, "
            "explain and recommend_orders build on it. Every answer says which model it used (model_source).",
        }

    def tools_list(self, params: dict[str, Any]) -> dict[str, Any]:
        """Every action as a tool, with its JSON Schema."""
        from ..actions import ACTIONS, available, input_schema

        tools = []
        for a in ACTIONS.values():
            desc = a.description
            if not available(a.name):
                desc += " (Not available in this version of quickstock: calls answer an error.)"
            tools.append({"name": a.name, "title": a.name.replace("_", " ").capitalize(), "description": desc,
                          "inputSchema": input_schema(a)})
        return {"tools": tools}

    def tools_call(self, params: dict[str, Any]) -> dict[str, Any]:
        """Run a tool; a failure is a result with ``isError: true``."""
        from ..actions import ACTIONS, ActionError, run

        name = params.get("name")
        if name not in ACTIONS:
            raise _RpcError(INVALID_PARAMS, f"Unknown tool: {name!r}; tools: {', '.join(ACTIONS)}")
        args = params.get("arguments") or {}
        if not isinstance(args, dict):
            raise _RpcError(INVALID_PARAMS, "arguments must be an object")
        try:
            result = run(name, args)
        except ActionError as err:
            return {"content": [{"type": "text", "text": json.dumps(err.to_dict())}], "isError": True}
        return {"content": [{"type": "text", "text": json.dumps(result)}], "structuredContent": result,
                "isError": False}

    # -- dispatch ---------------------------------------------------------------------------
    def handle(self, msg: Any) -> dict[str, Any] | None:
        """The response to one message, or ``None`` when none is due (notifications, responses)."""
        if not isinstance(msg, dict) or msg.get("jsonrpc") != "2.0":
            return _error(msg.get("id") if isinstance(msg, dict) else None, INVALID_REQUEST,
                          "not a JSON-RPC 2.0 message")
        method = msg.get("method")
        if "id" not in msg:  # a notification or a response: nothing to answer
            if method == "notifications/initialized":
                self.initialized = True
            return None
        mid = msg["id"]
        if not isinstance(method, str):
            return _error(mid, INVALID_REQUEST, "method missing")
        params = msg.get("params") or {}
        if not isinstance(params, dict):
            return _error(mid, INVALID_PARAMS, "params must be an object")
        table = {"initialize": self.initialize, "ping": lambda p: {}, "tools/list": self.tools_list,
                 "tools/call": self.tools_call}
        fn = table.get(method)
        if fn is None:
            return _error(mid, METHOD_NOT_FOUND, f"Method not found: {method}")
        try:
            return {"jsonrpc": "2.0", "id": mid, "result": fn(params)}
        except _RpcError as err:
            return _error(mid, err.code, err.message)
        except Exception as exc:  # noqa: BLE001 - the server goes on
            return _error(mid, INTERNAL_ERROR, f"internal error: {type(exc).__name__}: {exc}")

    def serve(self, stdin: IO[str], stdout: IO[str]) -> None:
        """Answer newline-delimited JSON-RPC messages from ``stdin`` until it closes."""
        for line in stdin:
            if not line.strip():
                continue
            try:
                msg = json.loads(line)
            except ValueError as exc:
                reply: dict[str, Any] | None = _error(None, PARSE_ERROR, f"Parse error: {exc}")
            else:
                reply = self.handle(msg)
            if reply is not None:
                stdout.write(json.dumps(reply, separators=(",", ":")) + "\n")
                stdout.flush()


def _error(mid: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": mid, "error": {"code": code, "message": message}}


def main(argv: list[str] | None = None) -> int:
    """Serve MCP on stdio until stdin closes; returns 0."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m quickstock.mcp",
        description="MCP tool server on stdio with the tools forecast, what_if, explain and recommend_orders. "
        "The model comes from $QUICKSTOCK_MODEL_DIR (a directory written by `quickstock sagemaker train` or a "
        ".qs file); without it the bundled synthetic sample is used.",
    )
    parser.add_argument(
        "--sdk",
        action="store_true",
        help="serve with the PyPI mcp SDK (MCPServer / FastMCP) instead of the built-in protocol code",
    )
    args = parser.parse_args(argv)
    if args.sdk:
        try:
            from ._sdk import build_server
        except ImportError as exc:  # pragma: no cover - depends on the installation
            print(f"quickstock.mcp: --sdk needs the mcp package (pip install mcp): {exc}", file=sys.stderr)
            return 2
        build_server().run(transport="stdio")
        return 0
    protocol_out = sys.stdout
    sys.stdout = sys.stderr  # stdout carries protocol messages only
    try:
        stdin = open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False)
        Server().serve(stdin, protocol_out)
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    finally:
        sys.stdout = protocol_out
    return 0

"""The same tools served by the PyPI ``mcp`` SDK (``python -m quickstock.mcp --sdk``).

``MCPServer`` (SDK 2.x) or ``FastMCP`` (1.x); each action becomes a tool whose keyword-only,
type-hinted signature is built from ``quickstock.actions``, so the SDK derives the same input
schema. A failing action raises the SDK's ``ToolError``, which it answers as a result with
``isError: true`` carrying the message.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, List, Optional

__all__ = ["build_server"]

_TYPES = {"string": str, "number": float, "integer": int, "array": List[float]}


def _tool_error() -> type:
    """The SDK's ``ToolError``: its message reaches the client (other exceptions are hidden)."""
    try:
        from mcp.server.mcpserver.exceptions import ToolError  # SDK 2.x
    except ImportError:
        from mcp.server.fastmcp.exceptions import ToolError  # SDK 1.x
    return ToolError


def _tool(action: Any) -> Callable[..., Any]:
    from typing import Annotated

    from pydantic import Field

    from ..actions import ActionError, run

    def tool(**kwargs: Any) -> dict:
        try:
            return run(action.name, {k: v for k, v in kwargs.items() if v is not None})
        except ActionError as err:
            where = f" (parameter {err.param!r})" if err.param else ""
            raise _tool_error()(f"{err.kind}: {err.message}{where}") from None

    params = []
    for p in action.all_params():
        t = _TYPES[p.type]
        if p.required:
            ann = Annotated[t, Field(description=p.description)]
            params.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, annotation=ann))
        else:
            ann = Annotated[Optional[t], Field(description=p.description)]
            params.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, annotation=ann, default=None))
    tool.__signature__ = inspect.Signature(params, return_annotation=dict)  # type: ignore[attr-defined]
    tool.__name__ = action.name
    tool.__doc__ = action.description
    return tool


def build_server() -> Any:
    """An SDK server with the four tools (raises ImportError without the ``mcp`` package)."""
    try:
        from mcp.server.mcpserver import MCPServer as Impl  # SDK 2.x
    except ImportError:
        from mcp.server.fastmcp import FastMCP as Impl  # SDK 1.x

    from ..actions import ACTIONS, available

    import quickstock as qs

    try:
        server = Impl("quickstock", version=qs.__version__)
    except TypeError:  # SDK 1.x takes no version
        server = Impl("quickstock")
    for a in ACTIONS.values():
        desc = a.description
        if not available(a.name):
            desc += " (Not available in this version of quickstock: calls answer an error.)"
        server.tool(name=a.name, description=desc)(_tool(a))
    return server

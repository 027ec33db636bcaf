"""``python -m quickstock.bedrock``: rewrite the shipped ``openapi.json`` and
``function_definitions.json`` from ``quickstock.actions`` (a test checks they agree)."""

from __future__ import annotations

from . import write_schemas

write_schemas()

"""``python -m quickstock.mcp``: the quickstock MCP server on stdio."""

from __future__ import annotations

import sys

from . import main

sys.exit(main())

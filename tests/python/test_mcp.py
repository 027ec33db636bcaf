"""``python -m quickstock.mcp`` driven over stdio by a dependency-free JSON-RPC 2.0 harness
(INTEGRATIONS.md §4.4/§4.5): initialize → notifications/initialized → tools/list → tools/call,
error cases, and nothing but JSON-RPC on stdout. When the PyPI ``mcp`` SDK is installed, its own
stdio client is run against the server too."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import quickstock as qs
from quickstock.serving import save_model_dir

PKG_ROOT = str(Path(qs.__file__).absolute().parents[1])
IDS = ["HYD-500000/sku-0", "HYD-500001/sku-1"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(2)
    df = pd.concat([pd.DataFrame({"unique_id": uid, "ds": pd.date_range("2025-05-01", periods=40, freq="D"),
                                  "y": rng.poisson(6, 40).astype(float)}) for uid in IDS], ignore_index=True)
    d = tmp_path_factory.mktemp("mcp") / "model"
    save_model_dir(qs.Forecaster([qs.SeasonalNaive(season_length=7)], freq="D").fit(df), str(d),
                   {"horizon": 3, "quantiles": [0.1, 0.5, 0.9]})
    return d


def _env(model_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = PKG_ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env["QUICKSTOCK_MODEL_DIR"] = str(model_dir)
    return env


class Harness:
    """Spawns the server and exchanges single-line JSON-RPC messages with it."""

    def __init__(self, model_dir: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "quickstock.mcp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                     env=_env(model_dir))
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.raw: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.raw.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def send(self, msg: dict | str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((msg if isinstance(msg, str) else json.dumps(msg)) + "\n")
        self.proc.stdin.flush()

    def receive(self, timeout: float = 60) -> dict:
        line = self.lines.get(timeout=timeout)
        assert line is not None, "server closed stdout: " + (self.proc.stderr.read() if self.proc.stderr else "")
        return json.loads(line)

    def request(self, method: str, params: dict | None = None) -> dict:
        self.next_id += 1
        msg: dict = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        reply = self.receive()
        assert reply["jsonrpc"] == "2.0" and reply["id"] == self.next_id
        return reply

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        code = self.proc.wait(timeout=30)
        if self.proc.stderr:
            self.proc.stderr.close()
        if self.proc.stdout:
            self.proc.stdout.close()
        return code


@pytest.fixture
def session(model_dir: Path):
    h = Harness(model_dir)
    init = h.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                    "clientInfo": {"name": "pytest-harness", "version": "1"}})
    h.init = init  # type: ignore[attr-defined]
    h.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    yield h
    assert h.close() == 0
    for line in h.raw:  # stdout carried only JSON-RPC messages, one per line
        assert json.loads(line)["jsonrpc"] == "2.0"


def test_lifecycle_and_tools_list(session: Harness) -> None:
    res = session.init["result"]  # type: ignore[attr-defined]
    assert res["protocolVersion"] == "2025-06-18"
    assert res["serverInfo"]["name"] == "quickstock" and res["serverInfo"]["version"] == qs.__version__
    assert "tools" in res["capabilities"]
    assert session.request("ping")["result"] == {}
    tools = {t["name"]: t for t in session.request("tools/list")["result"]["tools"]}
    assert sorted(tools) == ["explain", "forecast", "recommend_orders", "what_if"]
    for t in tools.values():
        schema = t["inputSchema"]
        assert schema["type"] == "object" and "unique_id" in schema["required"]
        assert {"unique_id", "horizon", "quantiles"} <= set(schema["properties"])
        assert t["description"]
    assert set(tools["what_if"]["inputSchema"]["required"]) == {"unique_id", "column", "op", "value"}
    assert set(tools["recommend_orders"]["inputSchema"]["required"]) == {"unique_id", "price", "cost"}


def test_tools_call_forecast(session: Harness, model_dir: Path) -> None:
    reply = session.request("tools/call", {"name": "forecast",
                                           "arguments": {"unique_id": IDS[1], "horizon": 5, "quantiles": [0.25, 0.75]}})
    res = reply["result"]
    assert res["isError"] is False
    data = res["structuredContent"]
    assert json.loads(res["content"][0]["text"]) == data and res["content"][0]["type"] == "text"
    want = qs.Forecaster.load(str(model_dir / "quickstock.qs")).predict(h=5, quantiles=[0.25, 0.75])
    want = want[want.unique_id == IDS[1]]
    (f,) = data["forecasts"]
    assert f["unique_id"] == IDS[1] and f["model"] == "SeasonalNaive" and len(f["ds"]) == 5
    np.testing.assert_allclose(f["p75"], want["p75"].round(3).to_numpy(), atol=1e-9)
    np.testing.assert_allclose(f["mean"], want["mean"].round(3).to_numpy(), atol=1e-9)
    # defaults from the model directory; string values are accepted too
    res = session.request("tools/call", {"name": "forecast", "arguments": {"unique_id": IDS[0], "horizon": "2"}})
    assert res["result"]["structuredContent"]["quantiles"] == [0.1, 0.5, 0.9]


def test_tool_errors_are_results_with_is_error(session: Harness) -> None:
    res = session.request("tools/call", {"name": "forecast", "arguments": {"unique_id": IDS[0], "horizon": "soon"}})
    r = res["result"]
    assert r["isError"] is True
    err = json.loads(r["content"][0]["text"])
    assert err["parameter"] == "horizon" and "horizon" in err["message"]
    r = session.request("tools/call", {"name": "forecast", "arguments": {}})["result"]
    assert r["isError"] is True and json.loads(r["content"][0]["text"])["parameter"] == "unique_id"
    r = session.request("tools/call", {"name": "forecast", "arguments": {"unique_id": "nope"}})["result"]
    assert r["isError"] is True and "unknown unique_id 'nope'" in r["content"][0]["text"]


def test_unavailable_tools_say_so(session: Harness) -> None:
    from quickstock.actions import available

    for name in ("what_if", "explain", "recommend_orders"):
        if available(name):
            continue
        r = session.request("tools/call", {"name": name, "arguments": {"unique_id": IDS[0]}})["result"]
        assert r["isError"] is True and "not available in this version of quickstock" in r["content"][0]["text"]


def test_protocol_errors(session: Harness) -> None:
    r = session.request("tools/call", {"name": "nope", "arguments": {}})
    assert r["error"]["code"] == -32602 and "nope" in r["error"]["message"]
    r = session.request("resources/list")
    assert r["error"]["code"] == -32601
    session.send("{this is not json")
    r = session.receive()
    assert r["id"] is None and r["error"]["code"] == -32700
    session.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 99}})
    r = session.request("initialize", {"protocolVersion": "1999-01-01", "capabilities": {},
                                       "clientInfo": {"name": "old", "version": "0"}})
    assert r["result"]["protocolVersion"] == "2025-11-25"  # its newest when the client's is unknown


def test_help() -> None:
    r = subprocess.run([sys.executable, "-m", "quickstock.mcp", "--help"], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": PKG_ROOT}, timeout=60)
    assert r.returncode == 0 and "QUICKSTOCK_MODEL_DIR" in r.stdout


@pytest.mark.parametrize("server_args", [[], ["--sdk"]], ids=["builtin-server", "sdk-server"])
def test_with_the_mcp_sdk_client(model_dir: Path, server_args: list[str]) -> None:
    """The PyPI ``mcp`` SDK's own stdio client against the server, built in or served by the
    SDK itself (``--sdk``); skipped without the SDK."""
    pytest.importorskip("mcp", reason="the PyPI mcp SDK is not installed (pip install mcp)")
    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "quickstock.mcp", *server_args],
                                   env=_env(model_dir))

    async def go() -> tuple:
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as s:
                await s.initialize()
                tools = await s.list_tools()
                ok = await s.call_tool("forecast", {"unique_id": IDS[0], "horizon": 2})
                bad = await s.call_tool("forecast", {"unique_id": IDS[0], "horizon": 0})
                return tools, ok, bad

    tools, ok, bad = anyio.run(go)
    assert sorted(t.name for t in tools.tools) == ["explain", "forecast", "recommend_orders", "what_if"]
    schema = next(t for t in tools.tools if t.name == "what_if")
    schema = getattr(schema, "input_schema", None) or schema.inputSchema
    assert set(schema["required"]) == {"unique_id", "column", "op", "value"}

    def is_error(r: object) -> bool:  # isError in SDK 1.x, is_error in 2.x
        return bool(getattr(r, "is_error", getattr(r, "isError", None)))

    assert not is_error(ok) and len(json.loads(ok.content[0].text)["forecasts"][0]["p50"]) == 2
    assert is_error(bad) and "horizon" in bad.content[0].text

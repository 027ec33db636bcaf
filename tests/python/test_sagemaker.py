"""SageMaker BYOC entry points, run for real: ``quickstock sagemaker train`` and ``serve`` as
subprocesses under a temporary ``SAGEMAKER_BASE_DIR``, the server on 127.0.0.1 and a free port.

Follows the offline checklist of INTEGRATIONS.md 1.9, plus a bounded load test.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import quickstock as qs
from quickstock.serving import CONFIG_FILE, MODEL_FILE

PKG_ROOT = str(Path(qs.__file__).absolute().parents[1])


def _env(base: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = PKG_ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env["SAGEMAKER_BASE_DIR"] = str(base)
    env.update(extra)
    return env


def _panel(n_series: int = 6, n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        ds = pd.date_range("2025-01-01", periods=n - i, freq="D")
        lam = 4.0 + 3.0 * (np.arange(len(ds)) % 7 >= 5) + i
        frames.append(pd.DataFrame({"unique_id": f"HYD-5000{i:02d}/sku-{i}", "ds": ds,
                                    "y": rng.poisson(lam).astype(float), "store_id": f"HYD-5000{i:02d}"}))
    return pd.concat(frames, ignore_index=True)


def _layout(base: Path, hp: dict[str, str] | None, df: pd.DataFrame | None) -> Path:
    (base / "input" / "config").mkdir(parents=True)
    (base / "input" / "data" / "training").mkdir(parents=True)
    if hp is not None:
        (base / "input" / "config" / "hyperparameters.json").write_text(json.dumps(hp))
    if df is not None:
        half = len(df) // 2
        df.iloc[:half].to_csv(base / "input" / "data" / "training" / "part-0.csv", index=False)
        df.iloc[half:].to_parquet(base / "input" / "data" / "training" / "part-1.parquet", index=False)
    return base


def _train(base: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "quickstock", "sagemaker", "train"], env=_env(base),
                          capture_output=True, text=True, timeout=300)


HP = {"freq": "D", "season_length": "7", "horizon": "5", "quantiles": "0.1,0.5,0.9",
      "models": "SeasonalNaive,Naive"}


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = _layout(tmp_path_factory.mktemp("opt_ml"), HP, _panel())
    r = _train(base)
    assert r.returncode == 0, r.stderr
    return base


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``quickstock sagemaker serve`` in a subprocess on 127.0.0.1."""

    def __init__(self, base: Path, wait_ready: bool = True, **env: str) -> None:
        self.port = _free_port()
        self.log = open(base / f"serve-{self.port}.log", "w")  # a file: the access log never fills a pipe
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "quickstock", "sagemaker", "serve", "--host", "127.0.0.1"],
            env=_env(base, SAGEMAKER_BIND_TO_PORT=str(self.port), **env),
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # accept connections, then (optionally) the model loaded
            assert self.proc.poll() is None, self.logtext()
            try:
                status = self.request("GET", "/ping")[0]
                if not wait_ready or status != 503:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise AssertionError("server did not start: " + self.logtext())

    def logtext(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()[-2000:]

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def invoke(self, body: bytes | str, ctype: str = "application/json", accept: str | None = None,
               **headers: str) -> tuple[int, dict[str, str], bytes]:
        h = {"Content-Type": ctype, **{k.replace("_", "-"): v for k, v in headers.items()}}
        if accept is not None:
            h["Accept"] = accept
        return self.request("POST", "/invocations", body, h)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        finally:
            self.log.close()


@pytest.fixture(scope="module")
def server(trained: Path):
    s = Server(trained)
    yield s
    assert s.stop() == 0


def _expected(base: Path, h: int, quantiles: list[float], ids: list[str] | None = None) -> pd.DataFrame:
    fc = qs.Forecaster.load(str(base / "model" / MODEL_FILE))
    out = fc.predict(h=h, quantiles=quantiles)
    if ids is not None:
        out = pd.concat([out[out.unique_id == i] for i in ids], ignore_index=True)
    return out


def _frame(records: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(records)


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got["unique_id"].tolist() == want["unique_id"].astype(str).tolist()
    assert got["ds"].astype(str).tolist() == want["ds"].astype(str).tolist()
    for c in want.columns:
        if c.startswith("p") and c[1:].replace(".", "").isdigit() or c == "mean":
            np.testing.assert_allclose(got[c].to_numpy(float), want[c].to_numpy(float), rtol=1e-12, atol=1e-12)


# -- training ---------------------------------------------------------------------------------
def test_train_writes_a_loadable_model_and_serving_defaults(trained: Path) -> None:
    assert (trained / "model" / MODEL_FILE).exists()
    cfg = json.loads((trained / "model" / CONFIG_FILE).read_text())
    assert cfg["horizon"] == 5 and cfg["quantiles"] == [0.1, 0.5, 0.9] and cfg["freq"] == "D"
    assert cfg["models"] == "SeasonalNaive,Naive" and cfg["season_length"] == 7
    assert not (trained / "output" / "failure").exists()
    fc = qs.Forecaster.load(str(trained / "model" / MODEL_FILE))
    assert [m.alias for m in fc.models] == ["SeasonalNaive", "Naive"]
    assert fc.models[0] == qs.SeasonalNaive(season_length=7)
    # the model equals one fitted directly on both files of the channel
    direct = qs.Forecaster([qs.SeasonalNaive(season_length=7), qs.Naive()], freq="D").fit(_panel())
    _same(fc.predict(5), direct.predict(5))
    written = pd.read_csv(trained / "output" / "data" / "forecast.csv")
    assert len(written) == 6 * 5 * 2


@pytest.mark.parametrize(
    "hp, field",
    [
        ({**HP, "learning_rate": "0.1"}, "learning_rate"),
        ({**HP, "horizon": "abc"}, "horizon"),
        ({**HP, "quantiles": "0.1,1.5"}, "quantiles"),
        ({**HP, "models": "SeasonalNaive,Prophet"}, "Prophet"),
        ({**HP, "freq": "fortnightly"}, "freq"),
        ({**HP, "season_length": "0"}, "season_length"),
    ],
    ids=["unknown-key", "bad-horizon", "bad-quantile", "unknown-model", "bad-freq", "zero-season"],
)
def test_train_bad_hyperparameter_writes_failure_naming_it(tmp_path: Path, hp: dict, field: str) -> None:
    base = _layout(tmp_path, hp, _panel(2, 30))
    r = _train(base)
    assert r.returncode != 0
    reason = (base / "output" / "failure").read_text()
    assert field in reason[:1024]
    assert reason.startswith("quickstock train: ")
    assert not (base / "model" / MODEL_FILE).exists()


def test_train_ignores_platform_keys_and_json_quoted_values(tmp_path: Path) -> None:
    hp = {"freq": '"D"', "horizon": "3", "_tuning_objective_metric": "wql", "sagemaker_region": '"x"'}
    base = _layout(tmp_path, hp, _panel(2, 30))
    r = _train(base)
    assert r.returncode == 0, (base / "output" / "failure").read_text() if (base / "output" / "failure").exists() else r.stderr
    cfg = json.loads((base / "model" / CONFIG_FILE).read_text())
    assert cfg["freq"] == "D" and cfg["models"] == "SeasonalNaive" and cfg["horizon"] == 3


def test_train_without_data_or_with_bad_rows_fails_with_reason(tmp_path: Path) -> None:
    base = _layout(tmp_path / "empty", HP, None)
    r = _train(base)
    assert r.returncode != 0 and "no .csv or .parquet file" in (base / "output" / "failure").read_text()

    bad = _panel(2, 30)
    bad.loc[7, "y"] = -3.0
    base = _layout(tmp_path / "neg", HP, bad)
    r = _train(base)
    reason = (base / "output" / "failure").read_text()
    assert r.returncode != 0 and '"y"' in reason and "HYD-500000/sku-0" in reason and ">= 0" in reason


# -- serving: health --------------------------------------------------------------------------
def test_ping_is_200_with_the_model_and_fast(server: Server) -> None:
    status, headers, body = server.request("GET", "/ping", timeout=2)
    assert status == 200 and body == b""


def test_ping_fails_without_a_model_or_with_a_damaged_one(tmp_path: Path, trained: Path) -> None:
    empty = _layout(tmp_path / "empty", None, None)
    s = Server(empty)
    try:
        status, _, body = s.request("GET", "/ping", timeout=2)
        assert status == 404 and b"no trained model" in body
        # on-the-fly forecasting still works without a model
        csv = "unique_id,ds,y\nA,2025-01-01,1\nA,2025-01-02,2\nA,2025-01-03,4\n"
        st, hdr, out = s.invoke(csv, "text/csv", "text/csv", X_Amzn_SageMaker_Custom_Attributes="h=2;models=Naive")
        assert st == 200 and out.decode().splitlines()[0].startswith("unique_id,ds,model,mean")
        st, _, out = s.invoke('{"unique_ids": ["A"]}')
        assert st == 503 and b"no trained model" in out
    finally:
        assert s.stop() == 0

    damaged = _layout(tmp_path / "damaged", None, None)
    (damaged / "model").mkdir()
    raw = (trained / "model" / MODEL_FILE).read_bytes()
    (damaged / "model" / MODEL_FILE).write_bytes(raw[: len(raw) // 2])
    s = Server(damaged)
    try:
        status, _, body = s.request("GET", "/ping", timeout=2)
        assert status == 500 and b"cannot load the model" in body
    finally:
        assert s.stop() == 0


# -- serving: content types -------------------------------------------------------------------
def test_json_request_forecasts_the_trained_model(server: Server, trained: Path) -> None:
    ids = ["HYD-500003/sku-3", "HYD-500001/sku-1"]
    status, headers, body = server.invoke(json.dumps({"unique_ids": ids, "h": 4, "quantiles": [0.05, 0.5, 0.95]}))
    assert status == 200 and headers["content-type"] == "application/json"
    got = _frame(json.loads(body)["predictions"])
    _same(got, _expected(trained, 4, [0.05, 0.5, 0.95], ids))
    assert list(got.columns) == ["unique_id", "ds", "model", "mean", "p5", "p50", "p95", "store_id"]


def test_defaults_come_from_the_trainer(server: Server, trained: Path) -> None:
    status, _, body = server.invoke("{}", accept="*/*")  # all series, h and quantiles as trained
    assert status == 200
    _same(_frame(json.loads(body)["predictions"]), _expected(trained, 5, [0.1, 0.5, 0.9]))


@pytest.mark.parametrize("accept", ["text/csv", "application/jsonlines", "application/json", None, "*/*",
                                    "text/csv;q=0.5, application/jsonlines"])
def test_accept_is_honoured(server: Server, trained: Path, accept: str | None) -> None:
    status, headers, body = server.invoke('{"unique_ids": ["HYD-500000/sku-0"], "h": 3}', accept=accept)
    assert status == 200
    want = _expected(trained, 3, [0.1, 0.5, 0.9], ["HYD-500000/sku-0"])
    expected_type = {"text/csv": "text/csv", "application/jsonlines": "application/jsonlines"}.get(
        (accept or "").split(",")[-1].strip(), "application/json")
    assert headers["content-type"] == expected_type
    if expected_type == "text/csv":
        import io

        got = pd.read_csv(io.StringIO(body.decode()), dtype={"unique_id": str})
    elif expected_type == "application/jsonlines":
        lines = body.decode().splitlines()
        assert len(lines) == 1
        got = _frame(json.loads(lines[0])["predictions"])
    else:
        got = _frame(json.loads(body)["predictions"])
    _same(got, want)


def test_csv_history_is_forecast_on_the_fly(server: Server) -> None:
    hist = _panel(3, 40, seed=7)[["unique_id", "ds", "y"]]
    hist["ds"] = hist["ds"].dt.strftime("%Y-%m-%d")
    for header in (True, False):
        csv = hist.to_csv(index=False, header=header)
        status, headers, body = server.invoke(csv, "text/csv; charset=utf-8", "application/json",
                                              X_Amzn_SageMaker_Custom_Attributes="h=6; quantiles=0.25,0.75")
        assert status == 200, body
        assert headers["x-amzn-sagemaker-custom-attributes"] == "h=6; quantiles=0.25,0.75"
        got = _frame(json.loads(body)["predictions"])
        # the trainer's models and season length are used for on-the-fly forecasts too
        want = qs.Forecaster([qs.SeasonalNaive(season_length=7), qs.Naive()], freq="D").forecast(
            _panel(3, 40, seed=7)[["unique_id", "ds", "y"]], h=6, quantiles=[0.25, 0.75])
        _same(got, want)


def test_jsonlines_history_is_forecast_on_the_fly(server: Server) -> None:
    hist = _panel(2, 30, seed=9)[["unique_id", "ds", "y"]]
    hist["ds"] = hist["ds"].dt.strftime("%Y-%m-%d")
    body_in = "\n".join(json.dumps(r) for r in hist.to_dict(orient="records")) + "\n"
    status, headers, body = server.invoke(body_in, "application/jsonlines", "text/csv",
                                          X_Amzn_SageMaker_Custom_Attributes="h=3")
    assert status == 200 and headers["content-type"] == "text/csv", body
    import io

    got = pd.read_csv(io.StringIO(body.decode()), dtype={"unique_id": str})
    want = qs.Forecaster([qs.SeasonalNaive(season_length=7), qs.Naive()], freq="D").forecast(
        _panel(2, 30, seed=9)[["unique_id", "ds", "y"]], h=3)
    _same(got, want)
    lines = body_in.splitlines()
    lines[4] = '{"unique_id": "HYD-500000/sku-0", "y": 3}'
    status, _, body = server.invoke("\n".join(lines), "application/jsonlines")
    err = json.loads(body)["error"]
    assert status == 400 and err["line"] == 5 and err["field"] == "ds"


def test_csv_header_in_any_column_order(server: Server) -> None:
    csv = "ds,y,unique_id\n2025-01-01,1,A\n2025-01-02,2,A\n2025-01-03,5,A\n"
    status, _, body = server.invoke(csv, "text/csv", X_Amzn_SageMaker_Custom_Attributes="h=1;models=Naive")
    assert status == 200, body
    (row,) = json.loads(body)["predictions"]
    assert (row["unique_id"], row["ds"], row["p50"]) == ("A", "2025-01-04", 5.0)


def test_ping_answers_while_a_long_forecast_runs(server: Server) -> None:
    hist = _panel(40, 400, seed=5)[["unique_id", "ds", "y"]].to_csv(index=False)
    done = threading.Event()
    result: list = []

    def slow() -> None:
        result.append(server.invoke(hist, "text/csv", X_Amzn_SageMaker_Custom_Attributes="h=7;models=AutoETS")[0])
        done.set()

    t = threading.Thread(target=slow)
    t.start()
    during = []
    while not done.is_set():
        status = server.request("GET", "/ping", timeout=2)[0]
        if not done.is_set():
            during.append(status)
        time.sleep(0.02)
    t.join()
    assert result == [200]
    assert during and set(during) == {200}


def test_json_history_rows_or_columns(server: Server) -> None:
    hist = {"unique_id": ["a"] * 10, "ds": [f"2025-02-{d:02d}" for d in range(1, 11)], "y": list(range(10))}
    rows = [dict(zip(hist, v)) for v in zip(*hist.values())]
    outs = []
    for history in (hist, rows):
        status, _, body = server.invoke(json.dumps({"history": history, "h": 2, "models": "Naive", "quantiles": [0.5]}))
        assert status == 200, body
        outs.append(json.loads(body)["predictions"])
    assert outs[0] == outs[1]
    assert [r["ds"] for r in outs[0]] == ["2025-02-11", "2025-02-12"] and outs[0][0]["p50"] == 9.0


def test_unsupported_types_and_bad_input(server: Server) -> None:
    status, _, body = server.invoke("x", "application/x-npy")
    assert status == 415 and b"Content-Type" in body
    status, _, body = server.invoke("{}", accept="image/png")
    assert status == 406 and b"Accept" in body
    status, _, body = server.invoke("{not json")
    assert status == 400 and b"malformed JSON" in body
    csv = "unique_id,ds,y\nA,2025-01-01,1\nA,2025-01-02,oops\nA,2025-01-03,2\n"
    status, _, body = server.invoke(csv, "text/csv")
    err = json.loads(body)["error"]
    assert status == 400 and err["row"] == 1 and err["field"] == "y" and err["series"] == "A"
    status, _, body = server.invoke('{"unique_ids": ["HYD-500000/sku-0"], "h": "soon"}')
    assert status == 400 and json.loads(body)["error"]["field"] == "h"
    status, _, body = server.invoke('{"unique_ids": ["nope"]}')
    err = json.loads(body)["error"]
    assert status == 400 and err["series"] == "nope" and err["field"] == "unique_ids"
    status, _, body = server.invoke('{"horizon": 3}')
    assert status == 400 and json.loads(body)["error"]["field"] == "horizon"
    status, _, body = server.invoke('{"h": 100000000}')
    assert status == 400 and json.loads(body)["error"]["field"] == "h"
    status, _, _ = server.request("GET", "/nowhere")
    assert status == 404
    status, _, _ = server.request("GET", "/invocations")
    assert status == 405
    status, _, body = server.invoke("", "application/json")
    assert status == 400 and b"empty" in body


def test_multi_record_jsonlines_keeps_order_and_count(server: Server, trained: Path) -> None:
    ids = ["HYD-500002/sku-2", "HYD-500000/sku-0", "bogus", "HYD-500005/sku-5"]
    lines = [json.dumps({"unique_ids": [i], "h": 2}) for i in ids]
    lines.insert(2, "{broken")
    body_in = "\n".join(lines) + "\n"  # trailing newline, as SplitType=Line mini-batches end
    status, headers, body = server.invoke(body_in, "application/jsonlines", "application/jsonlines")
    assert status == 200 and headers["content-type"] == "application/jsonlines"
    out = body.decode().splitlines()
    assert len(out) == 5
    recs = [json.loads(x) for x in out]
    assert recs[2]["error"]["line"] == 3 and "malformed JSON" in recs[2]["error"]["message"]
    assert recs[3]["error"]["line"] == 4 and recs[3]["error"]["series"] == "bogus"
    for k, i in [(0, ids[0]), (1, ids[1]), (4, ids[3])]:
        _same(_frame(recs[k]["predictions"]), _expected(trained, 2, [0.1, 0.5, 0.9], [i]))
    # JSON answer: one result per record, same order
    status, _, body = server.invoke(body_in, "application/jsonlines", "application/json")
    results = json.loads(body)["results"]
    assert status == 200 and len(results) == 5 and "error" in results[2] and "predictions" in results[4]
    # CSV answer: the rows of every record, or 400 naming the first bad line
    status, _, body = server.invoke(body_in, "application/jsonlines", "text/csv")
    assert status == 400 and json.loads(body)["error"]["line"] == 3
    good = "\n".join(x for x in lines if "bogus" not in x and "broken" not in x)
    status, _, body = server.invoke(good, "application/jsonlines", "text/csv")
    assert status == 200 and len(body.decode().splitlines()) == 1 + 3 * 2 * 2


def test_batch_payload_limit_and_execution_parameters(trained: Path) -> None:
    s = Server(trained, SAGEMAKER_BATCH="true", SAGEMAKER_MAX_PAYLOAD_IN_MB="1",
               SAGEMAKER_BATCH_STRATEGY="SINGLE_RECORD", SAGEMAKER_MODEL_SERVER_WORKERS="3")
    try:
        status, _, body = s.request("GET", "/execution-parameters")
        params = json.loads(body)
        assert status == 200 and params == {"MaxConcurrentTransforms": 3, "BatchStrategy": "SINGLE_RECORD",
                                            "MaxPayloadInMB": 1}
        assert params["MaxConcurrentTransforms"] * params["MaxPayloadInMB"] <= 100
        big = "unique_id,ds,y\n" + "A,2025-01-01,1\n" * 80_000  # > 1 MB
        assert len(big) > 1024 * 1024
        status, _, body = s.invoke(big, "text/csv")
        assert status == 413 and b"SAGEMAKER_MAX_PAYLOAD_IN_MB" in body
        status, _, _ = s.request("GET", "/ping")  # the server is fine afterwards
        assert status == 200
    finally:
        assert s.stop() == 0


def test_bad_environment_stops_the_server_naming_the_variable(trained: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "quickstock", "sagemaker", "serve", "--host", "127.0.0.1"],
                       env=_env(trained, SAGEMAKER_BIND_TO_PORT="eighty"), capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "SAGEMAKER_BIND_TO_PORT" in r.stderr


def test_sigterm_exits_zero_within_30_s(trained: Path) -> None:
    s = Server(trained)
    s.proc.send_signal(signal.SIGTERM)
    assert s.proc.wait(timeout=30) == 0
    s.log.close()


# -- load ---------------------------------------------------------------------------------------
N_REQUESTS = int(os.environ.get("QUICKSTOCK_LOAD_REQUESTS", "5000"))
N_CLIENTS = 6
TIME_LIMIT_S = 180.0


def test_bounded_load_no_errors_and_ping_answers_throughout(trained: Path) -> None:
    """A few thousand requests from several keep-alive client threads (bounded in count and
    time, loopback only) while another thread pings; every request must succeed."""
    s = Server(trained, QUICKSTOCK_ACCESS_LOG="0")
    ids = [f"HYD-5000{i:02d}/sku-{i}" for i in range(6)]
    hist_csv = _panel(4, 120, seed=3)[["unique_id", "ds", "y"]].to_csv(index=False)
    bodies = [
        ("application/json", "application/json", json.dumps({"unique_ids": [ids[k % 6]], "h": 1 + k % 7}))
        for k in range(20)
    ] + [
        ("application/json", "text/csv", json.dumps({"unique_ids": ids[:3], "quantiles": [0.5, 0.9]})),
        ("application/jsonlines", "application/jsonlines", "\n".join(json.dumps({"unique_ids": [i]}) for i in ids)),
        ("text/csv", "application/json", hist_csv),  # fitted on the fly
    ]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(N_REQUESTS))
    start = time.monotonic()
    stop_ping = threading.Event()
    ping_lat: list[float] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        try:
            while time.monotonic() - start < TIME_LIMIT_S:
                with lock:
                    k = next(counter, None)
                if k is None:
                    return
                ctype, accept, body = bodies[k % len(bodies)]
                t0 = time.perf_counter()
                conn.request("POST", "/invocations", body=body.encode(), headers={"Content-Type": ctype, "Accept": accept})
                r = conn.getresponse()
                data = r.read()
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    if r.status != 200 or not data:
                        errors.append(f"{r.status}: {data[:200]!r}")
        except Exception as exc:  # noqa: BLE001
            with lock:
                errors.append(repr(exc))
        finally:
            conn.close()

    def pinger() -> None:
        while not stop_ping.is_set():
            t0 = time.perf_counter()
            try:
                status = s.request("GET", "/ping", timeout=2)[0]
                if status != 200:
                    errors.append(f"ping {status}")
            except Exception as exc:  # noqa: BLE001
                errors.append(f"ping {exc!r}")
            ping_lat.append(time.perf_counter() - t0)
            stop_ping.wait(0.05)

    try:
        threads = [threading.Thread(target=client) for _ in range(N_CLIENTS)]
        p = threading.Thread(target=pinger)
        p.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join(TIME_LIMIT_S + 60)
        wall = time.monotonic() - start
        stop_ping.set()
        p.join(10)
    finally:
        assert s.stop() == 0
    assert not errors, errors[:5]
    assert len(latencies) == N_REQUESTS, f"only {len(latencies)} of {N_REQUESTS} requests in {TIME_LIMIT_S} s"
    lat = np.array(latencies) * 1000
    pl = np.array(ping_lat) * 1000
    summary = (f"load: {len(lat)} requests, {N_CLIENTS} clients, {wall:.1f} s, {len(lat) / wall:.0f} req/s, "
               f"p50 {np.percentile(lat, 50):.1f} ms, p99 {np.percentile(lat, 99):.1f} ms, max {lat.max():.1f} ms; "
               f"/ping {len(pl)} checks, p50 {np.percentile(pl, 50):.1f} ms, max {pl.max():.1f} ms")
    print(summary)
    Path(os.environ.get("QUICKSTOCK_LOAD_REPORT", os.devnull)).write_text(summary + "\n")
    assert len(pl) >= 10

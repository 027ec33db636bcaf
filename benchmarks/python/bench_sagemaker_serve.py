"""Throughput and latency of ``quickstock sagemaker serve`` on loopback.

Trains a model on the bundled synthetic Hyderabad sample (SeasonalNaive, 7 days) under a
temporary SAGEMAKER_BASE_DIR, starts the server on 127.0.0.1 and a free port, and sends a bounded
number of requests from several keep-alive client threads while another thread pings every
50 ms. Prints requests/s, p50/p99/max latency, the slowest /ping and the error count.

    PYTHONPATH=build/python python3 benchmarks/python/bench_sagemaker_serve.py --kind cached
    PYTHONPATH=build/python python3 benchmarks/python/bench_sagemaker_serve.py --kind csv --requests 300

Kinds: ``cached`` — JSON requests for one series of the trained model; ``csv`` — a 4-series,
120-day CSV history fitted on the fly per request. Traffic goes to 127.0.0.1 only and stops
after --requests requests or --seconds seconds.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

import quickstock as qs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", choices=["cached", "csv"], default="cached")
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--clients", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=120.0)
    args = ap.parse_args()

    base = Path(tempfile.mkdtemp(prefix="qs-sm-bench-"))
    (base / "input" / "config").mkdir(parents=True)
    (base / "input" / "data" / "training").mkdir(parents=True)
    df = qs.datasets.load_hyderabad()[["unique_id", "ds", "y", "store_id", "sku"]]
    df.to_parquet(base / "input" / "data" / "training" / "sales.parquet", index=False)
    (base / "input" / "config" / "hyperparameters.json").write_text(json.dumps({"freq": "D", "horizon": "7"}))
    env = dict(os.environ, SAGEMAKER_BASE_DIR=str(base), QUICKSTOCK_ACCESS_LOG="0")
    env["PYTHONPATH"] = str(Path(qs.__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    subprocess.run([sys.executable, "-m", "quickstock", "sagemaker", "train"], env=env, check=True)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "quickstock", "sagemaker", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stderr=subprocess.DEVNULL)

    def call(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if call(http.client.HTTPConnection("127.0.0.1", port, timeout=2), "GET", "/ping")[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.2)

    ids = sorted(df.unique_id.unique())
    hist = df[df.unique_id.isin(ids[:4])].groupby("unique_id").tail(120)[["unique_id", "ds", "y"]]
    csv_body = hist.to_csv(index=False).encode()

    def body(k: int) -> tuple[bytes, dict[str, str]]:
        if args.kind == "cached":
            return json.dumps({"unique_ids": [ids[k % len(ids)]]}).encode(), {"Content-Type": "application/json"}
        return csv_body, {"Content-Type": "text/csv", "X-Amzn-SageMaker-Custom-Attributes": "h=7"}

    lat: list[float] = []
    ping: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(range(args.requests))
    stop = threading.Event()
    t_start = time.monotonic()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() - t_start < args.seconds:
            with lock:
                k = next(counter, None)
            if k is None:
                break
            b, h = body(k)
            t0 = time.perf_counter()
            status, _ = call(conn, "POST", "/invocations", b, h)
            with lock:
                lat.append(time.perf_counter() - t0)
                errors[0] += status != 200
        conn.close()

    def pinger() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            status, _ = call(http.client.HTTPConnection("127.0.0.1", port, timeout=2), "GET", "/ping")
            ping.append(time.perf_counter() - t0)
            errors[0] += status != 200
            stop.wait(0.05)

    p = threading.Thread(target=pinger)
    p.start()
    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t_start
    stop.set()
    p.join()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=30)
    ms = np.array(lat) * 1000
    print(f"{args.kind}: {len(ms)} requests, {args.clients} clients, {wall:.1f} s, {len(ms) / wall:.0f} req/s, "
          f"p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms, max {ms.max():.1f} ms; "
          f"/ping max {max(ping) * 1000:.1f} ms over {len(ping)}; errors {errors[0]}; exit {code}")
    return 0 if errors[0] == 0 and code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

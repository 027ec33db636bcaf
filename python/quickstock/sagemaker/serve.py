"""``quickstock sagemaker serve``: the SageMaker inference HTTP server.

Standard library only (``http.server.ThreadingHTTPServer``): one thread per connection, so
``GET /ping`` answers while forecasts run (the C++ core releases the GIL while it fits and
forecasts); at most ``workers`` invocations compute at once.

Routes: ``GET /ping`` (200 once the model in ``model/`` is loaded; 503 while loading; 404 when
missing, 500 when damaged), ``POST /invocations``, ``GET /execution-parameters``. See
``docs/sagemaker.md`` for the payloads.
"""

from __future__ import annotations

import collections
import io
import json
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pandas as pd

from .._core import QuickstockError
from .._errors import invalid
from . import paths

__all__ = ["Settings", "ModelState", "Predictor", "Rows", "RequestError", "make_server", "main"]

JSON = "application/json"
JSONLINES = "application/jsonlines"
CSV = "text/csv"
_CONTENT_TYPES = {
    "application/json": JSON,
    "application/jsonlines": JSONLINES,
    "application/x-jsonlines": JSONLINES,
    "application/jsonl": JSONLINES,
    "text/csv": CSV,
}
_REQUEST_KEYS = ("unique_ids", "h", "quantiles", "history", "freq", "models", "season_length")
#: Largest number of forecast rows one record may ask for (series × h × models).
MAX_ROWS = 2_000_000


class RequestError(Exception):
    """An HTTP error answer: status, message and where (series/row/field/line)."""

    def __init__(self, status: int, message: str, **where: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.where = {k: v for k, v in where.items() if v not in (None, "")}

    def body(self) -> dict[str, Any]:
        """The JSON error object."""
        return {"error": {"status": self.status, "message": self.message, **self.where}}


def _from_quickstock(exc: QuickstockError, **where: Any) -> RequestError:
    return RequestError(
        400,
        str(exc),
        series=getattr(exc, "series_id", None) or None,
        row=getattr(exc, "row", None),
        field=getattr(exc, "field", None) or None,
        **where,
    )


# -- settings from the environment ----------------------------------------------------------
def _env_int(name: str, default: int, minimum: int = 1, maximum: int | None = None) -> int:
    text = os.environ.get(name)
    if text is None or text.strip() == "":
        return default
    try:
        value = int(text.strip())
    except ValueError:
        raise SystemExit(f"quickstock serve: environment variable {name} must be an integer (got {text!r})")
    if value < minimum or (maximum is not None and value > maximum):
        raise SystemExit(
            f"quickstock serve: environment variable {name} must be in [{minimum}, {maximum or '∞'}] (got {value})"
        )
    return value


@dataclass
class Settings:
    """Server settings (from the environment and command line; see ``from_env``)."""

    base: str
    host: str = "0.0.0.0"
    port: int = 8080
    workers: int = 1
    max_payload_mb: int = 6
    batch: bool = False
    batch_strategy: str = "MULTI_RECORD"
    default_accept: str = JSON
    access_log: bool = True

    @classmethod
    def from_env(cls, host: str | None = None, port: int | None = None, base: str | None = None) -> "Settings":
        """Read ``SAGEMAKER_BIND_TO_PORT`` (8080), ``QUICKSTOCK_BIND_HOST`` (0.0.0.0),
        ``SAGEMAKER_MODEL_SERVER_WORKERS`` / ``MODEL_SERVER_WORKERS`` (CPU count),
        ``SAGEMAKER_MAX_PAYLOAD_IN_MB`` (6), ``SAGEMAKER_BATCH``, ``SAGEMAKER_BATCH_STRATEGY``,
        ``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT`` and ``QUICKSTOCK_ACCESS_LOG``; a bad value
        stops the server with a message naming the variable."""
        cpu = os.cpu_count() or 1
        workers_var = "SAGEMAKER_MODEL_SERVER_WORKERS" if os.environ.get("SAGEMAKER_MODEL_SERVER_WORKERS") else "MODEL_SERVER_WORKERS"
        strategy = os.environ.get("SAGEMAKER_BATCH_STRATEGY", "MULTI_RECORD").strip().upper() or "MULTI_RECORD"
        if strategy not in ("MULTI_RECORD", "SINGLE_RECORD"):
            raise SystemExit(
                f"quickstock serve: SAGEMAKER_BATCH_STRATEGY must be MULTI_RECORD or SINGLE_RECORD (got {strategy!r})"
            )
        accept = os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", JSON).split(";")[0].strip().lower()
        if accept not in _CONTENT_TYPES:
            raise SystemExit(
                f"quickstock serve: SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT must be one of {sorted(_CONTENT_TYPES)} (got {accept!r})"
            )
        return cls(
            base=paths(base).base,
            host=host or os.environ.get("QUICKSTOCK_BIND_HOST") or "0.0.0.0",
            port=port if port is not None else _env_int("SAGEMAKER_BIND_TO_PORT", 8080, 0, 65535),
            workers=_env_int(workers_var, cpu),
            max_payload_mb=_env_int("SAGEMAKER_MAX_PAYLOAD_IN_MB", 6, 1, 100),
            batch=os.environ.get("SAGEMAKER_BATCH", "").strip().lower() == "true",
            batch_strategy=strategy,
            default_accept=_CONTENT_TYPES[accept],
            access_log=os.environ.get("QUICKSTOCK_ACCESS_LOG", "1").strip().lower() not in ("0", "false", "no"),
        )


# -- the model ------------------------------------------------------------------------------
@dataclass
class ModelState:
    """The trained model as loaded in the background: ``status`` is ``loading``, ``ready``,
    ``missing`` or ``damaged``."""

    directory: str
    status: str = "loading"
    error: str = ""
    forecaster: Any = None
    config: dict[str, Any] = field(default_factory=dict)
    ready: threading.Event = field(default_factory=threading.Event)

    def load(self) -> None:
        """Load ``directory`` (sets ``status``; never raises)."""
        from ..serving import MODEL_FILE, load_model_dir

        try:
            if not os.path.isdir(self.directory) or not any(
                f.endswith(".qs") for f in os.listdir(self.directory)
            ):
                self.status, self.error = "missing", f"no trained model ({MODEL_FILE}) in {self.directory}"
                return
            self.forecaster, self.config = load_model_dir(self.directory)
            self.status = "ready"
        except Exception as exc:  # noqa: BLE001 - a damaged model must make /ping fail, not crash
            self.status, self.error = "damaged", f"cannot load the model in {self.directory}: {exc}"
        finally:
            self.ready.set()


class Rows:
    """Forecast rows: a frame, or a selection of the cached trained-model forecast whose JSON
    records are rendered once per ``(h, quantiles)`` and reused."""

    def __init__(self, frame: pd.DataFrame, positions: np.ndarray | None = None,
                 recs: list[dict[str, Any]] | None = None) -> None:
        self._frame, self._pos, self._recs = frame, positions, recs

    def records(self) -> list[dict[str, Any]]:
        """JSON-ready row dicts."""
        from ..serving import records

        if self._recs is None:
            return records(self.frame())
        if self._pos is None:
            return self._recs
        return [self._recs[i] for i in self._pos]

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame."""
        if self._pos is None:
            return self._frame
        return self._frame.iloc[self._pos].reset_index(drop=True)


class Predictor:
    """Turns parsed request records into forecast frames, from the trained model or on the fly.

    Forecasts of the trained model are cached per ``(h, quantiles)`` (the model is immutable),
    so a request for some series costs a lookup after the first.
    """

    def __init__(self, state: ModelState, cache_size: int = 16) -> None:
        self.state = state
        self._cache: collections.OrderedDict[Any, tuple[pd.DataFrame, dict[str, np.ndarray], list[Any]]] = (
            collections.OrderedDict()
        )
        self._lock = threading.Lock()
        self._cache_size = cache_size

    # defaults: the request, then the trainer's settings, then quickstock's
    def _h(self, rec: dict[str, Any]) -> int:
        from .._frame import check_horizon

        h = rec.get("h", self.state.config.get("horizon", 14))
        if isinstance(h, str) and h.strip().isdigit():
            h = int(h.strip())
        return check_horizon(h)

    def _quantiles(self, rec: dict[str, Any]) -> list[float]:
        from .._frame import check_quantiles
        from .train import parse_quantiles

        q = rec.get("quantiles", self.state.config.get("quantiles", [0.1, 0.5, 0.9]))
        if isinstance(q, str):
            return parse_quantiles(q)
        if isinstance(q, list):
            try:
                q = [float(v) if isinstance(v, str) else v for v in q]
            except ValueError:
                invalid(f"quantiles must be numbers in (0, 1) (got {q!r})", field="quantiles")
        return check_quantiles(q)

    def _ids(self, rec: dict[str, Any]) -> list[str] | None:
        ids = rec.get("unique_ids")
        if ids is None:
            return None
        if isinstance(ids, (str, int)):
            ids = [ids]
        if not isinstance(ids, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in ids):
            invalid(f"unique_ids must be a list of series ids (got {ids!r})", field="unique_ids")
        return [str(v) for v in ids]

    def forecast(self, rec: dict[str, Any]) -> Rows:
        """Forecast one request record (see the module docs for its keys).

        Raises:
            QuickstockError: naming the field, series or row at fault.
            RequestError: 503 when the record needs the trained model and none is loaded.
        """
        unknown = [k for k in rec if k not in _REQUEST_KEYS]
        if unknown:
            invalid(f"unknown request field {unknown[0]!r}; known: {', '.join(_REQUEST_KEYS)}", field=unknown[0])
        h = self._h(rec)
        levels = self._quantiles(rec)
        ids = self._ids(rec)
        if rec.get("history") is not None:
            return Rows(self._on_the_fly(rec, h, levels, ids))
        st = self.state
        if st.status != "ready":
            why = st.error or "the model is still loading"
            raise RequestError(503, f"no trained model is ready ({why}); send a history to forecast on the fly",
                               field="history")
        fc = st.forecaster
        n = len(ids) if ids is not None else len(fc.prepared_.ids)
        _check_rows(n, h, len(fc.models))
        frame, index, recs = self._cached(h, levels)
        if ids is None:
            return Rows(frame, None, recs)
        missing = [i for i in ids if i not in index]
        if missing:
            invalid(
                f"unknown unique_id {missing[0]!r}" + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                + f"; the model knows {len(index)} series", series=missing[0], field="unique_ids",
            )
        pos = np.concatenate([index[i] for i in ids]) if ids else np.zeros(0, dtype=np.intp)
        return Rows(frame, pos, recs)

    def _cached(self, h: int, levels: list[float]) -> tuple[pd.DataFrame, dict[str, np.ndarray], list[Any]]:
        from ..serving import records

        key = (h, tuple(levels))
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
            fc = self.state.forecaster
            frame = fc.predict(h=h, quantiles=levels)
            idcol = fc.id_col
            index = {str(k): v for k, v in frame.groupby(frame[idcol].astype(str), sort=False).indices.items()}
            entry = (frame, index, records(frame))
            self._cache[key] = entry
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            return entry

    def _on_the_fly(self, rec: dict[str, Any], h: int, levels: list[float], ids: list[str] | None) -> pd.DataFrame:
        from .._frame import default_season_length, parse_freq
        from ..cli import infer_freq
        from ..forecaster import Forecaster
        from ..serving import models_from_names

        hist = rec["history"]
        if isinstance(hist, pd.DataFrame):
            df = hist
        elif isinstance(hist, list) and all(isinstance(r, dict) for r in hist):
            df = pd.DataFrame(hist)
        elif isinstance(hist, dict) and all(isinstance(v, list) for v in hist.values()):
            lengths = {len(v) for v in hist.values()}
            if len(lengths) > 1:
                invalid("history columns have different lengths", field="history")
            df = pd.DataFrame(hist)
        else:
            invalid("history must be a list of row objects or an object of equal-length column lists",
                    field="history")
        if df.empty:
            invalid("history has no rows", field="history")
        if "unique_id" in df.columns:
            df["unique_id"] = df["unique_id"].astype(str)
        if ids is not None and "unique_id" in df.columns:
            known = set(df["unique_id"])
            missing = [i for i in ids if i not in known]
            if missing:
                invalid(f"unique_id {missing[0]!r} is not in the history", series=missing[0], field="unique_ids")
            df = df[df["unique_id"].isin(set(ids))]
        cfg = self.state.config
        freq = rec.get("freq") or cfg.get("freq") or infer_freq(df)
        m = rec.get("season_length") or (cfg.get("season_length") if freq == cfg.get("freq") else None)
        if m is None:
            m = default_season_length(parse_freq(freq))
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            invalid(f"season_length must be an integer >= 1 (got {m!r})", field="season_length")
        names = rec.get("models") or cfg.get("models") or ("SeasonalNaive" if m > 1 else "Naive")
        if not isinstance(names, str):
            invalid(f"models must be comma-separated model names (got {names!r})", field="models")
        models = models_from_names(names, m, int(cfg.get("window_size", 4)))
        _check_rows(df["unique_id"].nunique() if "unique_id" in df.columns else 1, h, len(models))
        return Forecaster(models, freq=freq, n_jobs=1).forecast(df, h=h, quantiles=levels)


def _check_rows(n_series: int, h: int, n_models: int) -> None:
    rows = n_series * h * n_models
    if rows > MAX_ROWS:
        invalid(
            f"the forecast would have {rows:,} rows ({n_series} series × h={h} × {n_models} models), "
            f"more than {MAX_ROWS:,}: ask for fewer series or a shorter horizon",
            field="h",
        )


# -- payloads -------------------------------------------------------------------------------
def media_type(header: str | None) -> str:
    """The media type of a Content-Type/Accept entry, lower case, without parameters."""
    return (header or "").split(";")[0].strip().lower()


def negotiate(accept: str | None, default: str) -> str:
    """The response type for an ``Accept`` header: the supported type of highest q.

    Raises:
        RequestError: 406 when no listed type is supported.
    """
    if accept is None or not accept.strip():
        return default
    choices = []
    for pos, part in enumerate(accept.split(",")):
        bits = part.split(";")
        mt = bits[0].strip().lower()
        q = 1.0
        for b in bits[1:]:
            k, _, v = b.partition("=")
            if k.strip() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        if q > 0:
            choices.append((-q, pos, mt))
    for _, _, mt in sorted(choices):
        if mt == "*/*":
            return default
        if mt == "application/*":
            return JSON if default == CSV else default
        if mt == "text/*":
            return CSV
        if mt in _CONTENT_TYPES:
            return _CONTENT_TYPES[mt]
    raise RequestError(
        406, f"cannot answer in {accept!r}; supported Accept types: application/json, text/csv, application/jsonlines",
        field="Accept",
    )


def parse_custom_attributes(text: str | None) -> dict[str, Any]:
    """Request settings from ``X-Amzn-SageMaker-Custom-Attributes``: ``key=value`` pairs
    separated by ``;`` (``h=14; quantiles=0.1,0.5,0.9; freq=D``); unknown keys are ignored
    (the header is opaque to SageMaker and may carry other things)."""
    out: dict[str, Any] = {}
    for part in (text or "").split(";"):
        k, sep, v = part.partition("=")
        k = k.strip()
        if sep and k in ("h", "quantiles", "freq", "models", "unique_ids", "season_length"):
            v = v.strip()
            if k == "unique_ids":
                out[k] = [s.strip() for s in v.split(",") if s.strip()]
            elif k == "season_length":
                if not v.isdigit():
                    raise RequestError(400, f"custom attribute season_length must be an integer (got {v!r})",
                                       field="season_length")
                out[k] = int(v)
            else:
                out[k] = v
    return out


def read_csv_history(text: str) -> pd.DataFrame:
    """A long history from CSV text; the header row is optional (``unique_id,ds,y`` assumed).

    Raises:
        RequestError: 400 naming the line of malformed CSV.
    """
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    fields = {f.strip().strip('"').lower() for f in first.split(",")}
    has_header = bool(fields & {"unique_id", "ds", "y"})
    try:
        if has_header:
            df = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype={"unique_id": str})
        else:
            df = pd.read_csv(io.StringIO(text), header=None, dtype={0: str})
            if df.shape[1] != 3:
                raise RequestError(
                    400, f"CSV without a header row must have 3 columns unique_id,ds,y (line 1 has {df.shape[1]}); "
                    "add a header row to send more columns", row=0, field="body",
                )
            df.columns = ["unique_id", "ds", "y"]
    except pd.errors.ParserError as exc:
        raise RequestError(400, f"malformed CSV: {exc}", field="body") from None
    except pd.errors.EmptyDataError:
        raise RequestError(400, "the CSV body is empty", field="body") from None
    return df


def _json_object(text: str, line: int | None = None) -> dict[str, Any]:
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise RequestError(400, f"malformed JSON: {exc}", line=line, field="body") from None
    if not isinstance(obj, dict):
        raise RequestError(400, f"a request must be a JSON object (got {type(obj).__name__})", line=line, field="body")
    return obj


# -- the HTTP layer -------------------------------------------------------------------------
class Handler(BaseHTTPRequestHandler):
    """Answers ``/ping``, ``/invocations`` and ``/execution-parameters``."""

    protocol_version = "HTTP/1.1"
    server_version = "quickstock"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm holds the
    # body until the client's delayed ACK (~40 ms per request on Linux).
    disable_nagle_algorithm = True
    timeout = 65  # an idle keep-alive connection is closed after this many seconds

    @property
    def app(self) -> "App":
        return self.server.app  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.app.settings.access_log:
            sys.stderr.write("%s - - [%s] %s\n" % (self.address_string(), self.log_date_time_string(), format % args))

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        attrs = self.headers.get("X-Amzn-SageMaker-Custom-Attributes")
        if attrs is not None:
            self.send_header("X-Amzn-SageMaker-Custom-Attributes", attrs)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj).encode(), JSON)

    def _send_error(self, err: RequestError) -> None:
        self._send_json(err.status, err.body())

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        route = self.path.split("?")[0]
        if route == "/ping":
            st = self.app.state
            if st.status == "ready":
                self._send(200, b"", JSON)
            else:
                code = {"loading": 503, "missing": 404, "damaged": 500}[st.status]
                self._send_json(code, {"status": st.status, "error": st.error or "the model is loading"})
        elif route == "/execution-parameters":
            s = self.app.settings
            workers = max(1, min(s.workers, 100 // s.max_payload_mb))
            self._send_json(200, {"MaxConcurrentTransforms": workers, "BatchStrategy": s.batch_strategy,
                                  "MaxPayloadInMB": s.max_payload_mb})
        elif route == "/invocations":
            self._send_error(RequestError(405, "use POST /invocations", field="method"))
        else:
            self._send_error(RequestError(404, f"no route {route!r}; routes: /ping, /invocations, /execution-parameters"))

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_POST(self) -> None:  # noqa: N802
        route = self.path.split("?")[0]
        if route != "/invocations":
            self.close_connection = True  # the body is not read
            self._send_error(RequestError(404 if route not in ("/ping", "/execution-parameters") else 405,
                                          f"no POST route {route!r}; use POST /invocations"))
            return
        try:
            body = self._read_body()
            ctype = media_type(self.headers.get("Content-Type"))
            if ctype not in _CONTENT_TYPES:
                raise RequestError(
                    415, f"unsupported Content-Type {self.headers.get('Content-Type')!r}; send application/json, "
                    "text/csv or application/jsonlines", field="Content-Type",
                )
            accept = negotiate(self.headers.get("Accept"), self.app.settings.default_accept)
            with self.app.slots:
                self.app.busy_inc(1)
                try:
                    status, payload = self.app.invoke(_CONTENT_TYPES[ctype], accept, body,
                                                      self.headers.get("X-Amzn-SageMaker-Custom-Attributes"))
                finally:
                    self.app.busy_inc(-1)
            self._send(status, payload, accept)
        except RequestError as err:
            self._send_error(err)
        except Exception as exc:  # noqa: BLE001 - a bug answers 500, the server goes on
            import traceback

            traceback.print_exc()
            self._send_error(RequestError(500, f"internal error: {type(exc).__name__}: {exc}"))

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            raise RequestError(411, "chunked requests are not supported; send a Content-Length", field="Content-Length")
        text = self.headers.get("Content-Length")
        try:
            length = int(text) if text is not None else 0
        except ValueError:
            self.close_connection = True
            raise RequestError(400, f"bad Content-Length {text!r}", field="Content-Length") from None
        limit = self.app.settings.max_payload_mb * 1024 * 1024
        if length > limit:
            # Read and drop the body (bounded) so the client sees the 413 rather than a reset.
            if length <= 128 * 1024 * 1024:
                left = length
                while left > 0:
                    chunk = self.rfile.read(min(left, 1 << 20))
                    if not chunk:
                        break
                    left -= len(chunk)
            else:
                self.close_connection = True
            raise RequestError(413, f"the body has {length:,} bytes, more than the {self.app.settings.max_payload_mb} MB "
                               "limit (SAGEMAKER_MAX_PAYLOAD_IN_MB); split the request", field="body")
        body = self.rfile.read(length) if length else b""
        if not body.strip():
            raise RequestError(400, "the request body is empty", field="body")
        return body


class App:
    """The server's state: settings, the model, the predictor, the invocation slots."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state = ModelState(paths(settings.base).model)
        self.predictor = Predictor(self.state)
        self.slots = threading.BoundedSemaphore(settings.workers)
        self._busy = 0
        self._busy_lock = threading.Lock()

    def busy_inc(self, d: int) -> None:
        with self._busy_lock:
            self._busy += d

    @property
    def busy(self) -> int:
        """Invocations being computed now."""
        return self._busy

    def invoke(self, ctype: str, accept: str, body: bytes, custom: str | None) -> tuple[int, bytes]:
        """Answer one ``/invocations`` body: ``(status, response bytes in accept)``."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RequestError(400, f"the body is not UTF-8 (byte {body[exc.start:exc.start + 1]!r} at offset "
                               f"{exc.start})", field="body") from None
        attrs = parse_custom_attributes(custom)
        if ctype == CSV:
            rec = {**attrs, "history": read_csv_history(text)}
            return 200, self._render([self._one(rec, None)], accept, multi=False)
        if ctype == JSON:
            rec = {**attrs, **_json_object(text)}
            return 200, self._render([self._one(rec, None)], accept, multi=False)
        lines = text.split("\n")
        if lines and lines[-1].strip() == "":
            lines.pop()
        history = self._history_rows(lines)
        if history is not None:  # JSON lines of long-format rows: one history forecast on the fly
            return 200, self._render([self._one({**attrs, "history": history}, None)], accept, multi=False)
        results = []
        for n, line in enumerate(lines, start=1):
            try:
                rec = {**attrs, **_json_object(line.rstrip("\r"), line=n)}
                results.append(self._one(rec, n))
            except RequestError as err:
                results.append(err)
        return 200, self._render(results, accept, multi=True)

    @staticmethod
    def _history_rows(lines: list[str]) -> list[dict[str, Any]] | None:
        """The rows when the JSON lines are a long history (the first holds ``ds``), else None.

        Raises:
            RequestError: 400 naming the first line that is not a row.
        """
        first = next((ln for ln in lines if ln.strip()), "")
        try:
            head = json.loads(first)
        except ValueError:
            return None
        if not isinstance(head, dict) or "ds" not in head:
            return None
        rows = []
        for n, line in enumerate(lines, start=1):
            row = _json_object(line.rstrip("\r"), line=n)
            if "ds" not in row:
                raise RequestError(400, "a JSON-lines history needs unique_id, ds and y on every line", line=n,
                                   field="ds")
            rows.append(row)
        return rows

    def _one(self, rec: dict[str, Any], line: int | None) -> Any:
        try:
            return self.predictor.forecast(rec)
        except QuickstockError as exc:
            raise _from_quickstock(exc, line=line) from None
        except RequestError as err:
            if line is not None:
                err.where.setdefault("line", line)
            raise

    @staticmethod
    def _render(results: list[Any], accept: str, multi: bool) -> bytes:
        from ..serving import to_csv_text

        if accept == JSONLINES:
            out = []
            for r in results:
                out.append(json.dumps(r.body() if isinstance(r, RequestError) else {"predictions": r.records()}))
            return ("\n".join(out) + "\n").encode()
        errors = [r for r in results if isinstance(r, RequestError)]
        if accept == CSV:
            if errors:
                raise errors[0]
            frames = [r.frame() for r in results]
            return to_csv_text(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]).encode()
        if not multi:
            return json.dumps({"predictions": results[0].records()}).encode()
        return json.dumps({"results": [r.body() if isinstance(r, RequestError) else {"predictions": r.records()}
                                       for r in results]}).encode()


def make_server(settings: Settings) -> ThreadingHTTPServer:
    """Bind the server (the model loads in the background; call ``serve_forever``)."""

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128
        allow_reuse_address = True

    server = Server((settings.host, settings.port), Handler)
    server.app = App(settings)  # type: ignore[attr-defined]
    threading.Thread(target=server.app.state.load, name="quickstock-model-load", daemon=True).start()  # type: ignore[attr-defined]
    return server


def main(host: str | None = None, port: int | None = None, base: str | None = None) -> int:
    """Entry point of ``quickstock sagemaker serve``: serve until SIGTERM/SIGINT, then exit 0.

    On SIGTERM the server stops accepting, lets running invocations finish (at most 25 s, inside
    SageMaker's 30 s before SIGKILL) and exits 0.
    """
    settings = Settings.from_env(host=host, port=port, base=base)
    server = make_server(settings)
    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host_, port_ = server.server_address[:2]
    print(
        f"quickstock serve: listening on http://{host_}:{port_} (model dir {paths(settings.base).model}, "
        f"{settings.workers} worker slot(s), max payload {settings.max_payload_mb} MB)",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        deadline = time.monotonic() + 25.0
        while server.app.busy and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.05)
        server.server_close()
    print("quickstock serve: stopped", file=sys.stderr, flush=True)
    return 0

"""Serve ``EthRpc`` over HTTP (JSON-RPC 2.0, single and batch requests) on a background thread.

While it listens, the node's record beside the chain names its URL (``lock.py``), so that other
processes on the machine write through it instead of opening the chain file."""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import structlog

from chain_client.embedded.node import EmbeddedNode
from chain_client.embedded.rpc_api import INVALID_REQUEST, PARSE_ERROR, EthRpc, RpcError

log = structlog.get_logger(__name__)

MAX_BODY_BYTES = 1 << 20
MAX_BATCH = 100


class _Handler(BaseHTTPRequestHandler):
    server: _RpcHttpServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm on, the body waits for the client's
    # delayed ACK of the headers (40 ms on Linux) on every keep-alive request.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._reply(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, _error(INVALID_REQUEST, "request body too large")
            )
            return
        body = self.rfile.read(length)
        try:
            request = json.loads(body)
        except ValueError:
            self._reply(HTTPStatus.OK, _error(PARSE_ERROR, "parse error"))
            return
        rpc = self.server.rpc
        if isinstance(request, list):
            if not request or len(request) > MAX_BATCH:
                self._reply(
                    HTTPStatus.OK, _error(INVALID_REQUEST, f"a batch holds 1 to {MAX_BATCH} requests")
                )
                return
            answers = [answer for answer in (rpc.handle(item) for item in request) if answer is not None]
            self._reply(HTTPStatus.OK, answers)
        else:
            self._reply(HTTPStatus.OK, rpc.handle(request))

    def do_GET(self) -> None:
        self._reply(HTTPStatus.METHOD_NOT_ALLOWED, _error(INVALID_REQUEST, "POST JSON-RPC 2.0 requests here"))

    def _reply(self, status: HTTPStatus, payload: Any) -> None:
        body = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("rpc request", client=self.address_string(), line=format % args)


def _error(code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": None, "error": RpcError(code, message).as_object()}


class _RpcHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 overflows when a service's worker threads connect at once
    # (each keeps its own keep-alive connection); the kernel then resets some of those connections.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], rpc: EthRpc) -> None:
        super().__init__(address, _Handler)
        self.rpc = rpc


class RpcServer:
    """The JSON-RPC endpoint of an embedded node; ``url`` once started."""

    def __init__(self, node: EmbeddedNode, host: str = "127.0.0.1", port: int = 8545) -> None:
        self._node = node
        self._server = _RpcHttpServer((host, port), EthRpc(node))
        bound_host, bound_port = self._server.server_address[:2]
        self.url = f"http://{bound_host!s}:{bound_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="rpc-server", daemon=True)

    def start(self) -> RpcServer:
        self._thread.start()
        self._node.advertise(self.url)
        log.info("JSON-RPC listening", url=self.url)
        return self

    def stop(self) -> None:
        self._node.advertise(None)
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> RpcServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

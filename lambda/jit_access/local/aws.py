"""The embedded AWS of the local stack: moto in server mode, on 127.0.0.1, in a process of our own.

    python -m jit_access.local.aws --ready-file .jit-access-local/run/aws.json [--port 0]

Our own process rather than `moto_server`, for one change: moto, when a message is added to a queue that
has an enabled Lambda event source mapping, receives the messages and invokes the function in Docker.
The local stack pumps the queue itself (the gateway's `/_local/run`), exactly like the event source
would, so here the mappings are hidden from `Queue.add_message` while it runs. Nothing else of moto is
changed; the module's own mapping is also created disabled (`queue_event_source_mapping_enabled`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from jit_access.local.process import write_ready_file

_lock = threading.RLock()


def _without_event_source_mappings(add_message: Callable[..., None]) -> Callable[..., None]:
    def add_message_only(queue: Any, message: Any) -> None:
        # One lock for every queue: two senders must not swap the attribute under each other.
        with _lock:
            mappings = queue.lambda_event_source_mappings
            queue.lambda_event_source_mappings = {}
            try:
                add_message(queue, message)
            finally:
                queue.lambda_event_source_mappings = mappings

    add_message_only.__wrapped__ = add_message  # type: ignore[attr-defined]
    return add_message_only


@contextlib.contextmanager
def queue_event_sources_off() -> Iterator[None]:
    """Within the block, adding a message never makes moto invoke a Lambda function."""
    from moto.sqs.models import Queue

    original = Queue.add_message
    Queue.add_message = _without_event_source_mappings(original)  # type: ignore[method-assign]
    try:
        yield
    finally:
        Queue.add_message = original  # type: ignore[method-assign]


def serve(host: str, port: int, ready_file: Path | None) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(host, port, app, threaded=True)
    actual_port = server.server_port
    # moto builds some URLs (e.g. Lambda code locations) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(actual_port)
    url = f"http://{host}:{actual_port}"

    def shutdown(signum: int, frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    if ready_file is not None:
        write_ready_file(ready_file, port=actual_port, url=url)
    print(f"embedded AWS (moto) listening on {url}", flush=True)
    server.serve_forever(poll_interval=0.2)
    print("embedded AWS stopped", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jit_access.local.aws", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port the kernel picks")
    parser.add_argument("--ready-file", type=Path, help="JSON {pid, port, url} is written here when serving")
    args = parser.parse_args(argv)
    with queue_event_sources_off():
        serve(args.host, args.port, args.ready_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Running the app: waitress in production, Flask's development server only for --debug."""

from __future__ import annotations

import logging
import sys

from flask import Flask


def configure_logging() -> None:
    """One line per request on standard error (the kazkg.web logger)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
    logger = logging.getLogger("kazkg.web")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no second line per request


def run(app: Flask, host: str, port: int, *, threads: int = 8, debug: bool = False) -> None:
    configure_logging()
    if debug:
        # The reloader would fork a second copy of the server and its worker pool.
        app.run(host=host, port=port, debug=True, use_reloader=False, threaded=True)
        return
    import waitress

    waitress.serve(app, host=host, port=port, threads=threads, ident="kazkg",
                   clear_untrusted_proxy_headers=True, _quiet=True)


def get(app: Flask, path: str, accept: str | None = None) -> tuple[int, str, bytes]:
    """Answer one GET in-process (kazkg serve --get PATH): a smoke test without a port."""
    headers = {"Accept": accept} if accept else {}
    response = app.test_client().get(path, headers=headers)
    return response.status_code, response.content_type or "", response.get_data()

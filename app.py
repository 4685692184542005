"""Start the Vraagbaak web app: ``python app.py`` (chat at ``/``, staff page at ``/staff/``).

Configuration comes from the environment (``ASSISTANT_*``, see assistant/settings.py);
host and port from ``ASSISTANT_HOST`` / ``ASSISTANT_PORT`` (default 127.0.0.1:7860).
"""

from __future__ import annotations

import logging
import os
import sys

import uvicorn

from assistant.errors import VraagbaakError
from assistant.settings import load_settings
from assistant.web.app import STAFF_PATH, build_app


def main() -> int:
    """Build the settings and the app, then serve it until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Everything this process creates is for its own account only (mode 0600, folders 0700): the
    # database and its journal, CSV exports with personal data and Gradio's copies of them, mails.
    os.umask(0o077)
    try:
        settings = load_settings()
        app = build_app(settings)
    except VraagbaakError as err:
        print(f"fout: {err}", file=sys.stderr)
        return 2
    base = f"http://{settings.host}:{settings.port}"
    print(f"Vraagbaak: {base}/  (medewerkers: {base}{STAFF_PATH}/)", flush=True)
    # proxy_headers=False: uvicorn would trust X-Forwarded-For from 127.0.0.1; build_app believes
    # only the proxies in ASSISTANT_TRUSTED_PROXIES.
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", proxy_headers=False, server_header=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

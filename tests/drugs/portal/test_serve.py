"""`medchain serve --demo` answers over HTTP on 127.0.0.1 (the process the browser test drives)."""

from __future__ import annotations

import httpx


def test_medchain_serve_answers_pages_and_json_on_localhost(server):
    base, urls = server
    assert base.startswith("http://127.0.0.1:") and {"genuine", "recalled", "expired", "unknown_serial"} <= set(urls)
    assert httpx.get(urls["genuine"].replace(base, base + "/api")).json()["status"] == "genuine"
    assert httpx.get(base + "/01/09506000134353/10/A/21/B?17=271231").status_code == 400

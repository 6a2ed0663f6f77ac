"""Every route the extension registers refuses a request without a valid token."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jupyter_server.base.handlers import APIHandler
from tornado.httpclient import HTTPClientError

VERBS = ("get", "post", "put", "patch", "delete")


def registered_routes(web_app: Any) -> list[tuple[str, type]]:
    """(URL regex, handler class) for every route under /jupyter-dlops/ on the live app."""
    found = []
    for host_rule in web_app.default_router.rules:
        for rule in getattr(host_rule.target, "rules", []):
            pattern = getattr(rule.matcher, "regex", None)
            if pattern is not None and "/jupyter-dlops/" in pattern.pattern:
                found.append((pattern.pattern, rule.target))
    return found


def sample_url(pattern: str) -> str:
    """A concrete URL for a route regex (every group becomes 'x')."""
    url = re.sub(r"\(\?P<\w+>[^)]*\)", "x", pattern)
    return url.rstrip("$")


def verbs_of(handler: type) -> list[str]:
    """The verbs the handler itself implements (not the inherited 405s)."""
    return [verb for verb in VERBS if getattr(handler, verb) is not getattr(APIHandler, verb, None)]


async def test_routes_are_registered(jp_serverapp):
    routes = registered_routes(jp_serverapp.web_app)
    from jupyter_dlops.server.routes import ROUTES

    assert len(routes) == len(ROUTES) >= 7


@pytest.mark.parametrize("headers", [{}, {"Authorization": "token not-the-token"}], ids=["no-token", "bad-token"])
async def test_every_route_refuses_unauthenticated(jp_serverapp, http_server_client, headers):
    checked = 0
    for pattern, handler in registered_routes(jp_serverapp.web_app):
        for verb in verbs_of(handler):
            body = b"{}" if verb in ("post", "put", "patch") else None
            with pytest.raises(HTTPClientError) as info:
                await http_server_client.fetch(
                    sample_url(pattern), method=verb.upper(), body=body, headers=dict(headers),
                    follow_redirects=False,
                )
            assert info.value.code == 403, f"{verb.upper()} {pattern} answered {info.value.code}"
            checked += 1
    assert checked >= 7

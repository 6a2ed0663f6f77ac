"""The base handler: authentication, JSON in and out, and the ONE place where errors become
HTTP statuses."""

from __future__ import annotations

import asyncio
import functools
import json
import math
from collections.abc import Callable
from typing import Any, TypeVar

from jupyter_server.base.handlers import APIHandler
from tornado.web import HTTPError

from ..errors import DlopsError
from .settings import DlopsSettings

T = TypeVar("T")


def to_http_error(error: Exception) -> HTTPError:
    """A DlopsError's status and one-line message; anything else is a 500 with its type."""
    if isinstance(error, DlopsError):
        return HTTPError(error.http_status, str(error))
    if isinstance(error, HTTPError):
        return error
    # the type only: an OSError's text names absolute paths on the server (issue 14)
    return HTTPError(500, f"internal error ({type(error).__name__}); see the server log")


class DlopsHandler(APIHandler):
    """Every jupyter-dlops handler derives from this; every verb is ``@authenticated``."""

    @property
    def dlops(self) -> DlopsSettings:
        return self.settings["jupyter_dlops"]

    def store(self) -> Any:
        """The store, opened (not created) on demand so a missing store is a clear 404."""
        from ..store import open_store

        return open_store(self.dlops.store_uri, create=False)

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking library code in a worker thread, mapping its errors to HTTP."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(None, functools.partial(function, *args, **kwargs))
        except Exception as error:  # mapped in one place, below
            if not isinstance(error, (DlopsError, HTTPError)):
                self.log.exception("jupyter-dlops: %s failed", getattr(function, "__name__", "call"))
            raise to_http_error(error) from None

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object, refused past the size limit."""
        body = self.request.body or b""
        if len(body) > self.dlops.max_body_bytes:
            raise HTTPError(413, f"request body over {self.dlops.max_body_bytes} bytes")
        try:
            data = json.loads(body or b"{}")
        except ValueError as error:
            raise HTTPError(400, f"request body is not JSON ({error})") from None
        if not isinstance(data, dict):
            raise HTTPError(400, "request body must be a JSON object")
        return data

    def int_argument(self, name: str, default: int, *, low: int = 0, high: int = 10_000) -> int:
        text = self.get_argument(name, None)
        if text is None or text == "":
            return default
        try:
            value = int(text)
        except ValueError:
            raise HTTPError(400, f"'{name}' must be an integer, not '{text}'") from None
        if not low <= value <= high:
            raise HTTPError(400, f"'{name}' must be between {low} and {high}")
        return value

    def float_argument(self, name: str) -> float | None:
        text = self.get_argument(name, None)
        if text is None or text == "":
            return None
        try:
            value = float(text)
        except ValueError:
            raise HTTPError(400, f"'{name}' must be a number, not '{text}'") from None
        if not math.isfinite(value):
            raise HTTPError(400, f"'{name}' must be a finite number, not '{text}'")
        return value

    def reply(self, data: Any) -> None:
        try:
            text = json.dumps(data, default=str, allow_nan=False)
        except ValueError:  # a NaN or infinite parameter: JSON has no such numbers
            text = json.dumps(_finite(data), default=str, allow_nan=False)
        self.finish(text)


def _finite(value: Any) -> Any:
    """``value`` with every non-finite float replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value

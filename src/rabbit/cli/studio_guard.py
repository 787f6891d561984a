"""The lock on ``rabbit studio`` (ADR 0020): an ASGI middleware in front of sqladmin.

A web UI bound to 127.0.0.1 is still reachable from every page the developer's browser
opens: a page can post a form to it (cross-site request forgery) or, by DNS rebinding, read
it under a name of its own. The guard therefore checks, in this order and before the
request's body is read or anything reaches sqladmin:

1. **Host.** Only ``127.0.0.1:<port>`` and ``localhost:<port>`` are served (a rebound name
   such as ``attacker.example`` gets 400).
2. **Access token.** The studio prints ``http://127.0.0.1:<port>/?token=…`` at start (a random
   token, as Jupyter does). A GET carrying the right token gets a session cookie (HttpOnly,
   SameSite=Strict, named after the port) and a redirect to the same URL without the token;
   every request without a valid session cookie is refused (403). Tokens and cookies are
   compared with :func:`hmac.compare_digest`.
3. **Same origin and CSRF token**, for every state-changing request (anything but GET, HEAD,
   OPTIONS): its ``Origin`` (or, without one, its ``Referer``) must be the studio's own
   origin, and it must carry the session's CSRF token (an HMAC of the session id) in the
   ``X-CSRF-Token`` header or a ``csrf_token`` form field. SameSite alone is not enough:
   another port of 127.0.0.1 is the *same site*, so its pages' requests carry the cookie.

The CSRF token reaches sqladmin's pages through :data:`CSRF_SCRIPT`, injected into the
``<head>`` of every HTML response: it adds the hidden field to every POST form when it is
submitted, and the header to the page's own ``fetch`` and ``XMLHttpRequest`` calls (sqladmin
deletes rows with a jQuery ``DELETE``). Every response also forbids framing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_PARAMETER = "token"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: The largest request body the guard reads to find the CSRF field (a CSV import, say).
MAX_BODY = 32 * 1024 * 1024
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_HEAD = re.compile(rb"<head[^>]*>", re.IGNORECASE)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}

#: Arms the page with the CSRF token read from ``<meta name="rabbit-csrf-token">``.
CSRF_SCRIPT = """
(function () {
  var meta = document.querySelector('meta[name="rabbit-csrf-token"]');
  if (!meta) { return; }
  var token = meta.getAttribute('content');
  function sameOrigin(url) {
    try { return new URL(url, location.href).origin === location.origin; }
    catch (error) { return false; }
  }
  function arm(form) {
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== 'post') { return; }
    if (!sameOrigin(form.action)) { return; }
    var field = form.querySelector('input[name="csrf_token"]');
    if (!field) {
      field = document.createElement('input');
      field.type = 'hidden';
      field.name = 'csrf_token';
      form.appendChild(field);
    }
    field.value = token;
  }
  document.addEventListener('submit', function (event) { arm(event.target); }, true);
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('form').forEach(arm);
  });
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.rabbitSameOrigin = sameOrigin(url);
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (this.rabbitSameOrigin) { this.setRequestHeader('X-CSRF-Token', token); }
    return send.apply(this, arguments);
  };
  var fetchOriginal = window.fetch;
  window.fetch = function (resource, init) {
    var url = resource instanceof Request ? resource.url : String(resource);
    if (!sameOrigin(url)) { return fetchOriginal.apply(this, arguments); }
    init = Object.assign({}, init || {});
    var given = init.headers || (resource instanceof Request ? resource.headers : {});
    var headers = new Headers(given);
    headers.set('X-CSRF-Token', token);
    init.headers = headers;
    return fetchOriginal.call(this, resource, init);
  };
})();
"""


class StudioGuard:
    """The ASGI middleware (module docstring); ``access_token`` is the printed token."""

    def __init__(self, app: ASGIApp, *, port: int, access_token: str) -> None:
        self.app = app
        self.port = port
        self.access_token = access_token
        self.allowed_hosts = frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})
        self.cookie = f"rabbit_studio_{port}"
        self._key = secrets.token_bytes(32)  # signs sessions; new at every start

    # -- sessions ---------------------------------------------------------------------------

    def new_session(self) -> str:
        """A signed session id: ``<id>.<hmac>``."""
        session_id = secrets.token_urlsafe(32)
        return f"{session_id}.{self._sign('session', session_id)}"

    def session_id(self, cookie: str | None) -> str | None:
        """The id of a validly signed session cookie, else None."""
        if not cookie or "." not in cookie:
            return None
        session_id, signature = cookie.rsplit(".", 1)
        expected = self._sign("session", session_id)
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            return None
        return session_id

    def csrf_token(self, session_id: str) -> str:
        """The session's CSRF token."""
        return self._sign("csrf", session_id)

    def _sign(self, purpose: str, value: str) -> str:
        message = f"{purpose}:{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    # -- the checks -------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # no websockets in the studio
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if host not in self.allowed_hosts:
            await _refuse(400, "rabbit studio: unknown Host", scope, receive, send)
            return
        request = Request(scope)
        token = request.query_params.get(TOKEN_PARAMETER)
        if token is not None:
            await self._open_session(request, token, scope, receive, send)
            return
        session_id = self.session_id(request.cookies.get(self.cookie))
        if session_id is None:
            await _refuse(
                403,
                "rabbit studio: open the link `rabbit studio` printed (with its token)",
                scope,
                receive,
                send,
            )
            return
        if scope["method"] not in SAFE_METHODS:
            if not self.same_origin(headers, f"http://{host}"):
                await _refuse(403, "rabbit studio: cross-origin request", scope, receive, send)
                return
            body = await _read_body(receive)
            if body is None:
                await _refuse(413, "rabbit studio: request too large", scope, receive, send)
                return
            sent = headers.get(CSRF_HEADER) or await _form_field(scope, body, CSRF_FIELD)
            expected = self.csrf_token(session_id)
            if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
                await _refuse(403, "rabbit studio: missing or wrong CSRF token", scope, _eof, send)
                return
            receive = _replay(body)
        await self.app(scope, receive, _armed(send, self.csrf_token(session_id)))

    async def _open_session(
        self, request: Request, token: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        right = hmac.compare_digest(token.encode(), self.access_token.encode())
        if not right or scope["method"] not in ("GET", "HEAD"):
            await _refuse(403, "rabbit studio: wrong access token", scope, receive, send)
            return
        rest = [(k, v) for k, v in request.query_params.multi_items() if k != TOKEN_PARAMETER]
        path = request.url.path
        target = path if path.startswith("/") and not path.startswith("//") else "/"
        if rest:
            target += "?" + urlencode(rest)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            self.cookie,
            self.new_session(),
            httponly=True,
            samesite="strict",
            path="/",
        )
        response.headers["Cache-Control"] = "no-store"
        await _secured(response)(scope, receive, send)

    def same_origin(self, headers: Headers, origin: str) -> bool:
        """The request's Origin (else its Referer's origin) is ``origin``; neither: refused."""
        sent = headers.get("origin")
        if sent is None:
            referer = headers.get("referer")
            if referer is None:
                return False
            parts = urlsplit(referer)
            sent = f"{parts.scheme}://{parts.netloc}"
        return hmac.compare_digest(sent.encode(), origin.encode())


def _secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


async def _refuse(status: int, text: str, scope: Scope, receive: Receive, send: Send) -> None:
    await _secured(PlainTextResponse(text, status_code=status))(scope, receive, send)


async def _eof() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when it exceeds :data:`MAX_BODY`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    """A ``receive`` that hands the already-read body to the application once."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _form_field(scope: Scope, body: bytes, name: str) -> str | None:
    """A text field of a urlencoded or multipart body (None for other bodies)."""
    content_type = Headers(scope=scope).get("content-type", "")
    if not content_type.startswith(_FORM_TYPES):
        return None
    form = await Request(scope, _replay(body)).form()
    try:
        value = form.get(name)
    finally:
        await form.close()
    return value if isinstance(value, str) else None


def _armed(send: Send, csrf_token: str) -> Send:
    """``send`` with the security headers on every response, and the CSRF meta tag and
    :data:`CSRF_SCRIPT` inserted after ``<head>`` of HTML responses."""
    injected = (
        f'<meta name="rabbit-csrf-token" content="{csrf_token}"><script>{CSRF_SCRIPT}</script>'
    ).encode()
    start: Message | None = None
    chunks: list[bytes] = []

    async def armed(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in SECURITY_HEADERS.items():
                headers[name] = value
            if headers.get("content-type", "").startswith("text/html"):
                start = message  # held until the whole page is in
                return
            await send(message)
            return
        if message["type"] == "http.response.body" and start is not None:
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            page = _HEAD.sub(lambda match: match.group(0) + injected, b"".join(chunks), count=1)
            headers = MutableHeaders(scope=start)
            headers["content-length"] = str(len(page))
            await send(start)
            await send({"type": "http.response.body", "body": page, "more_body": False})
            start = None
            return
        await send(message)

    return armed

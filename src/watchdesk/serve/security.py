"""Who may change the store (curation), and CSRF protection for every form.

* Curation is allowed from the local machine (client 127.0.0.1 / ::1), or from anywhere with the
  token set in ``WATCHDESK_TOKEN`` (sent as the ``X-Watchdesk-Token`` header, or once through
  /login, which keeps it in an HttpOnly cookie).
* Every POST carries the per-session CSRF token: a random value in the ``wd_csrf`` cookie
  (SameSite=Strict) that the page repeats in a hidden field; both must match. The request must
  also be same-origin (Origin, else Referer, names this host) when the browser says where it
  comes from.
"""
from __future__ import annotations

import hmac
import ipaddress
import secrets
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

CSRF_COOKIE = "wd_csrf"
TOKEN_COOKIE = "wd_token"
LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost"}


def is_local_client(request: Request) -> bool:
    host = request.client.host if request.client else ""
    if host in LOCAL_HOSTS:
        return True
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    return addr.is_loopback or (getattr(addr, "ipv4_mapped", None) is not None and addr.ipv4_mapped.is_loopback)


def has_token(request: Request, token: str | None) -> bool:
    if not token:
        return False
    given = request.headers.get("x-watchdesk-token") or request.cookies.get(TOKEN_COOKIE) or ""
    return hmac.compare_digest(given.encode(), token.encode())


def may_curate(request: Request, token: str | None) -> bool:
    return is_local_client(request) or has_token(request, token)


def csrf_token(request: Request) -> str:
    """The session's CSRF token (from its cookie, or a new one the response will set)."""
    current = request.cookies.get(CSRF_COOKIE)
    if current and len(current) >= 32:
        return current
    if not hasattr(request.state, "new_csrf"):
        request.state.new_csrf = secrets.token_urlsafe(32)
    return request.state.new_csrf


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another origin."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        referer = request.headers.get("referer")
        if origin == "null":
            return False
        if not referer:
            return True  # not a browser form post (curl, tests): the CSRF token still has to match
        origin = referer
    parts = urlsplit(origin)
    host = request.headers.get("host", "")
    return bool(parts.netloc) and parts.netloc.lower() == host.lower() and parts.scheme in ("http", "https")


def check_post(request: Request, form_token: str | None, token: str | None) -> None:
    """Refuse a curation POST that is not allowed, not same-origin or lacks the CSRF token."""
    if not may_curate(request, token):
        raise HTTPException(403, "curation is allowed from the local machine or with the desk token")
    if not same_origin(request):
        raise HTTPException(403, "cross-origin request refused")
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    if not cookie or not form_token or not hmac.compare_digest(cookie.encode(), form_token.encode()):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")

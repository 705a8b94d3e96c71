"""The load bench's browser: one keep-alive connection, its own loopback source address and cookie jar."""
from __future__ import annotations

import http.client
import http.cookies
import itertools
import re
import threading
import urllib.parse

CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_addresses = itertools.count(10)
_addresses_lock = threading.Lock()


def _next_address() -> str:
    """A loopback source address of its own for each simulated client (127.0.0.10, .11, ...)."""
    with _addresses_lock:
        n = next(_addresses)
    return f"127.0.{n // 250}.{n % 250 + 2}" if n >= 248 else f"127.0.0.{n}"


class HttpError(Exception):
    pass


class Client:
    """One browser: its own keep-alive connection, source address and cookie jar."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port, self.timeout = port, timeout
        self.source = _next_address()
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout,
                                                   source_address=(self.source, 0))
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, body: dict | None = None,
                headers: dict[str, str] | None = None, cookies: bool = True) -> tuple[int, str, dict[str, str]]:
        """(status, text, headers); a keep-alive connection the server closed meanwhile is reopened once."""
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if cookies and self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (0, 1):
            conn = self._connect()
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest):
                self.close()
                if attempt:
                    raise
                continue
            except Exception:
                self.close()
                raise
            if cookies:
                for raw in response.headers.get_all("Set-Cookie") or []:
                    jar = http.cookies.SimpleCookie()
                    jar.load(raw)
                    for name, morsel in jar.items():
                        if morsel["max-age"] == "0" or not morsel.value:
                            self.cookies.pop(name, None)
                        else:
                            self.cookies[name] = morsel.value
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, text, dict(response.getheaders())
        raise HttpError("unreachable")

    def login(self, email: str, password: str) -> None:
        status, page, _ = self.request("GET", "/login")
        token = CSRF_TOKEN.search(page)
        if status != 200 or token is None:
            raise HttpError(f"login page: {status}")
        status, _, headers = self.request("POST", "/login", {"csrf_token": token.group(1), "email": email,
                                                              "password": password})
        if status != 302:
            raise HttpError(f"sign-in of {email} answered {status}")

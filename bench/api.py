"""The API calls the benchmarks make themselves (seeding data, the plain-API anchors), in one
place. Two clients:

- `Api`: one keep-alive connection from the standard library (`http.client`), a call at a
  time. For the python3 without packages and for loops that count their requests.
- `Session`: a `requests` session (the SDK's venv has it) whose `call` may be used from
  several threads at once (`concurrent.futures`), and whose `s` streams files.

Both log in with a key pair (Basic auth on `auth.login`) unless given a token, and `call`
returns the answer's `data` after checking its `result_code` is 200.

The scripts in bench/ import it as `api` (their folder is on `sys.path`); the inline ones,
run from the repository root, put "bench" there first.
"""
import base64
import http.client
import json
import urllib.parse


def _data(endpoint, answer):
    assert answer["meta"]["result_code"] == 200, (endpoint, answer["meta"])
    return answer["data"]


class Api:
    """One keep-alive connection to the API server at `url`, with a token."""

    def __init__(self, url, token=None, key=None, secret=None, headers=None):
        u = urllib.parse.urlparse(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port)
        self.prefix = u.path.rstrip("/")
        self.headers = dict(headers or {})
        if token is None:
            basic = base64.b64encode(f"{key}:{secret}".encode()).decode()
            self.headers["Authorization"] = "Basic " + basic
            token = self.call("auth.login", {})["token"]
        self.token = token
        self.headers["Authorization"] = "Bearer " + token

    def call(self, endpoint, body, lines=None):
        """POST `body` (or `lines`, as json-lines) to `endpoint`; the answer's data."""
        if lines is not None:
            data, ctype = "\n".join(json.dumps(x) for x in lines), "application/json-lines"
        else:
            data, ctype = json.dumps(body), "application/json"
        headers = dict(self.headers, **{"Content-Type": ctype})
        self.conn.request("POST", f"{self.prefix}/{endpoint}", data.encode(), headers)
        return _data(endpoint, json.loads(self.conn.getresponse().read()))


class Session:
    """A logged-in `requests` session for `url` (`pool` connections kept when given)."""

    def __init__(self, url, key, secret, pool=None):
        import requests

        self.url = url.rstrip("/")
        self.s = requests.Session()
        if pool:
            self.s.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=pool))
        answer = self.s.get(f"{self.url}/auth.login", auth=(key, secret)).json()
        self.token = _data("auth.login", answer)["token"]
        self.s.headers["Authorization"] = f"Bearer {self.token}"

    def call(self, endpoint, body):
        """POST `body` as JSON to `endpoint`; the answer's data."""
        return _data(endpoint, self.s.post(f"{self.url}/{endpoint}", json=body).json())

    def call_lines(self, endpoint, lines):
        """POST `lines` (one JSON document each) as json-lines to `endpoint`."""
        data = "".join(json.dumps(x) + "\n" for x in lines).encode()
        r = self.s.post(f"{self.url}/{endpoint}", data=data,
                        headers={"Content-Type": "application/json-lines"})
        return _data(endpoint, r.json())

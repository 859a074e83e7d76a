"""Service task operators every diagram may call: HTTP requests to the hosts an admin allows.

A service task names its operator and parameters the way spiff-arena's models do
(``spiffworkflow:serviceTaskOperator id="http/GetRequestV2"`` with ``url``, ``headers``,
``params``, ``data``, ``basic_auth_username``, ``basic_auth_password``); the result,
``{"body", "mimetype", "http_status"}``, goes to the task's result variable.

Calls go only to the hosts of ``TASKLANE_SERVICE_HOSTS`` (none unless set), with a time
limit (``TASKLANE_SERVICE_TIMEOUT_SECONDS``) and a cap on the answer's size, and only
over http(s). A refused host, an unreachable one, a timeout or an answer of 400 and
above fails the task: the case gets an incident naming it (engine/faults.py), and
nothing of the change is kept.
"""
import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from flask import current_app

MAX_ANSWER_BYTES = 1_000_000


class ServiceCallError(Exception):
    """The call was refused or failed; the message says which host and why."""


def get(params, _data):
    return _call("GET", params)


def post(params, _data):
    return _call("POST", params)


def _call(method, params):
    url = params.get("url")
    if not isinstance(url, str) or not url:
        raise ServiceCallError("the parameter 'url' must be a web address")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServiceCallError(f"'{url}' is not an http(s) address")
    _allowed(parts)
    query = params.get("params") or {}
    if query:
        url = f"{url}{'&' if parts.query else '?'}{urllib.parse.urlencode(query, doseq=True)}"
    headers = {str(k): str(v) for k, v in (params.get("headers") or {}).items()}
    body = None
    if method == "POST":
        body = json.dumps(params.get("data") or {}, default=str).encode()
        headers.setdefault("Content-Type", "application/json")
    user = params.get("basic_auth_username")
    if user:
        token = base64.b64encode(f"{user}:{params.get('basic_auth_password') or ''}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - scheme checked
    timeout = current_app.config["TASKLANE_SERVICE_TIMEOUT_SECONDS"]
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - scheme checked
            raw = answer.read(MAX_ANSWER_BYTES + 1)
            return _result(answer.status, answer.headers.get_content_type(), raw)
    except urllib.error.HTTPError as error:
        raise ServiceCallError(f"{parts.hostname} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ServiceCallError(f"{parts.hostname} could not be reached: {reason}") from None


def _allowed(parts):
    setting = current_app.config["TASKLANE_SERVICE_HOSTS"]
    allowed = {h.strip().lower() for h in setting.split(",") if h.strip()}
    host = parts.hostname.lower()
    with_port = f"{host}:{parts.port}" if parts.port else host
    if host not in allowed and with_port not in allowed:
        raise ServiceCallError(f"calls to {with_port} are not allowed; an admin adds the host to "
                               "TASKLANE_SERVICE_HOSTS")


def _result(status, mimetype, raw):
    if len(raw) > MAX_ANSWER_BYTES:
        raise ServiceCallError(f"the answer is larger than {MAX_ANSWER_BYTES:,} bytes")
    text = raw.decode("utf-8", errors="replace")
    body = text
    if mimetype == "application/json" or mimetype.endswith("+json"):
        try:
            body = json.loads(text)
        except ValueError:
            body = text
    return {"body": body, "mimetype": mimetype, "http_status": status}


# spiff-arena's connector names, with and without their version suffix
HTTP = {"http/GetRequest": get, "http/GetRequestV2": get,
        "http/PostRequest": post, "http/PostRequestV2": post}

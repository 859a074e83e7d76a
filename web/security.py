"""Headers every response carries, and the reverse-proxy setting.

- ``Content-Security-Policy``: scripts, styles, images, fonts and requests from this
  site only (images and fonts also as ``data:`` URLs); no inline script, event handler
  or style (the diagram editor's pages alone allow style attributes) (the pages keep their scripts in
  web/static/, and their JSON data in ``<script type="application/json">`` blocks,
  which are not run); no plugins; forms post only here; no page of Tasklane inside a
  frame (``frame-ancestors 'none'``). A response that set its own policy keeps it (the
  attachment downloads' ``sandbox``).
- ``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``;
  ``X-Content-Type-Options: nosniff``; ``Referrer-Policy: same-origin`` (links out of
  Tasklane do not carry case URLs).
- ``Strict-Transport-Security`` in production only (development runs on plain http).

Behind ``TASKLANE_PROXY_HOPS`` reverse proxies, werkzeug's ProxyFix takes the client
address and scheme from their ``X-Forwarded-For`` / ``X-Forwarded-Proto`` headers, so the
sign-in throttle counts per client, not per proxy.
"""
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",   # Bootstrap's CSS draws some icons as data: SVGs
    "font-src": "'self' data:",  # the properties panel's CSS embeds its fonts
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# The diagram editor's properties panel builds its fields from HTML with style attributes
# (its domify), and dmn-js's cell editor (CodeMirror) adds its theme as a <style> element it
# writes itself; only these pages allow inline styles. Scripts stay strict everywhere.
STYLE_ATTRIBUTE_PAGES = {"modeler.modeler_new", "modeler.modeler_edit"}


def _policy(**extra):
    return "; ".join(f"{name} {value}" for name, value in {**DIRECTIVES, **extra}.items())


POLICY = _policy()
EDITOR_POLICY = _policy(**{"style-src-attr": "'unsafe-inline'", "style-src-elem": "'self' 'unsafe-inline'"})
HSTS = "max-age=31536000; includeSubDomains"


def add_headers(response, *, production):
    headers = response.headers
    headers.setdefault("Content-Security-Policy",
                       EDITOR_POLICY if request.endpoint in STYLE_ATTRIBUTE_PAGES else POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if production:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app):
    production = app.config["TASKLANE_ENV"] == "production"
    app.after_request(lambda response: add_headers(response, production=production))
    hops = app.config.get("TASKLANE_PROXY_HOPS") or 0
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

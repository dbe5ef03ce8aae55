"""Security headers on every route of the URL map (so a new route cannot be forgotten),
for an anonymous visitor and a signed-in officer: a policy that forbids inline script
and framing, nosniff, a referrer policy; no-store on staff and tracking pages; HSTS only
when the site is served over HTTPS."""

from __future__ import annotations

import dataclasses
import re

import pytest

from intake.security.headers import POLICY

from .staff_support import login

PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def concrete(rule) -> str:
    """A URL for a rule, with 1 for every id and a plausible word for every other part."""
    def value(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if converter == "int":
            return "1"
        if name == "fmt":
            return "json"
        return "x"
    return PLACEHOLDER.sub(value, rule.rule)


def get_routes(app) -> list[str]:
    return sorted({concrete(rule) for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and not rule.rule.startswith("/static")})


def check(response, url: str) -> list[str]:
    headers, problems = response.headers, []
    policy = headers.get("Content-Security-Policy", "")
    if "frame-ancestors 'none'" not in policy:
        problems.append("frame-ancestors")
    if re.search(r"script-src[^;]*'unsafe-inline'", policy):
        problems.append("inline script allowed")
    for name, expected in (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY")):
        if headers.get(name) != expected:
            problems.append(name)
    if not headers.get("Referrer-Policy"):
        problems.append("Referrer-Policy")
    if (url.startswith("/staff") or url.startswith("/track/")) \
            and "no-store" not in headers.get("Cache-Control", ""):
        problems.append("no-store")
    return [f"{url} [{response.status_code}]: {p}" for p in problems]


@pytest.mark.parametrize("who", ["anonymous", "office"])
def test_every_route_carries_the_security_headers(app, client, city, who):
    if who == "office":
        login(client, city.office_user)
    found = []
    for url in get_routes(app):
        found += check(client.get(url), url)
    assert found == []
    assert len(get_routes(app)) > 50


def test_the_default_policy_forbids_inline_script_and_framing():
    assert "script-src 'self';" in POLICY and "frame-ancestors 'none'" in POLICY


def test_hsts_only_over_https(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"],
                                              base_url="https://teian.city.example.jp")
    assert client.get("/").headers["Strict-Transport-Security"].startswith("max-age=")

"""Drill 3: bad input to the portal's forms and JSON routes, property-based (hypothesis over real HTTP).

Usage: python -m tests.bench.drill_bad_input --db DB [--examples 30]

A logged-in generated customer sends oversized, malformed, wrong-type, other-customer and
script-bearing values to:

- every POST form found on the portal pages (``/my``, ``/my/account``, ``/my/address``, and our
  ``/my/relationship``, ``/my/complaints``, ``/my/loyalty`` when they exist), with a valid CSRF token;
- Odoo's ``/my/address/submit`` (own and another customer's ``partner_id``), ``/my/orders`` query
  parameters, another customer's ``/my/orders/<id>``, and the ``/my/counters`` JSON route;
- the JSON routes listed in ``JSON_ROUTES``.

Checked for every request: no HTTP 5xx and no JSON-RPC error that is not a user-facing Odoo error;
another customer's data never changes and never shows; when the request was refused (4xx, a
JSON-RPC error, or a JSON answer naming invalid fields) nothing at all changed; a script sent in
is never echoed back unescaped. Violations are collected and printed, not raised.
"""

import argparse
import json
import re
import sys
from html.parser import HTMLParser

import psycopg2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .common import emit, say
from .generate import PORTAL_PASSWORD
from .odoo_env import odoo_env
from .server import OdooServer

PAGES = ["/my", "/my/account", "/my/address", "/my/relationship", "/my/complaints", "/my/loyalty"]
NEVER_POST = ("/my/deactivate_account", "/web/session/logout", "/my/security", "/web/login")
# JSON routes of our addons: (path, params to fuzz); the portal helper's routes go here.
JSON_ROUTES = [("/my/counters", ["counters"])]
SCRIPT = "<script>alert('bch')</script>"
# Routes of our addons; everything else is Odoo's own portal, measured as the reference.
OUR_PREFIXES = ("/my/relationship", "/my/complaints", "/my/loyalty", "/my/nps", "/my/suggestion", "/my/consent")
USER_ERRORS = ("odoo.exceptions.", "werkzeug.exceptions.")


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self.csrf = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.forms.append({"action": attrs.get("action") or "", "fields": set()})
        elif tag in ("input", "select", "textarea") and attrs.get("name"):
            if attrs["name"] == "csrf_token":
                self.csrf = attrs.get("value") or self.csrf
            elif self.forms:
                self.forms[-1]["fields"].add(attrs["name"])


def bad_values(other_ids):
    return st.one_of(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
        st.just(SCRIPT),
        st.builds(lambda n, c: c * n, st.integers(10_000, 200_000), st.sampled_from("A\u00e9\u4e2d")),
        st.sampled_from(["-1", "0", "99999999999999999999", "1e309", "nan", "[]", "{}", "null", "true", ""]),
        st.sampled_from(["' OR 1=1 --", "%00", "\u202etxt", "../../etc/passwd", "2026-13-45", "12:99"]),
        st.sampled_from([str(i) for i in other_ids]),
    )


class Drill:
    def __init__(self, db, server):
        self.db, self.server = db, server
        self.violations, self.requests, self.refused = [], 0, 0
        self.conn = psycopg2.connect(dbname=db, user="odoo_cmr", host="127.0.0.1")
        self.conn.autocommit = True

    def q(self, sql, params=None):
        with self.conn.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall()

    def snapshot(self):
        """(everything that must not change on a refusal, what belongs to the other customer)."""
        other = self.q(
            "SELECT md5(string_agg(row(p.*)::text, '' ORDER BY p.id)) FROM res_partner p"
            " WHERE p.commercial_partner_id = %s",
            [self.other_partner],
        )[0][0]
        tables = [t for (t,) in self.q("SELECT tablename FROM pg_tables WHERE tablename LIKE 'crm\\_%'")]
        counts = [self.q(f"SELECT count(*) FROM {t}")[0][0] for t in tables]
        own = self.q(
            "SELECT md5(string_agg(row(p.*)::text, '' ORDER BY p.id)) FROM res_partner p"
            " WHERE p.commercial_partner_id = %s",
            [self.own_partner],
        )[0][0]
        everything = (own, other, tuple(counts), self.q("SELECT count(*) FROM res_partner")[0][0])
        return everything, other

    def violation(self, target, kind, detail, values):
        owner = "ours" if target.split(" ", 1)[-1].startswith(OUR_PREFIXES) else "odoo"
        shown = {k: (v if len(str(v)) < 80 else f"{str(v)[:40]}...({len(str(v))} chars)") for k, v in values.items()}
        self.violations.append(
            {"owner": owner, "target": target, "kind": kind, "detail": str(detail)[:300], "values": shown}
        )

    def send(self, http, target, method, url, values, json_route=False):
        before_all, before_other = self.snapshot()
        self.requests += 1
        try:
            if json_route:
                resp = http.post(
                    url, json={"jsonrpc": "2.0", "method": "call", "params": values}, timeout=120, allow_redirects=False
                )
            elif method == "GET":
                resp = http.get(url, params=values, timeout=120, allow_redirects=False)
            else:
                resp = http.post(url, data=values, timeout=120, allow_redirects=False)
        except Exception as exc:
            self.violation(target, "no response", repr(exc), values)
            return
        body = resp.text
        refused = resp.status_code >= 400
        if resp.status_code >= 500:
            self.violation(target, f"HTTP {resp.status_code}", body[-200:], values)
        payload = None
        if "json" in resp.headers.get("content-type", "") or body[:1] in "{[":
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
        if isinstance(payload, dict):
            error = payload.get("error")
            if error:
                refused = True
                name = (error.get("data") or {}).get("name", "")
                if not name.startswith(USER_ERRORS):
                    self.violation(
                        target, "server error in JSON", f"{name}: {error.get('data', {}).get('message')}", values
                    )
                elif not (error.get("data") or {}).get("message"):
                    self.violation(target, "unreadable refusal", error, values)
            if payload.get("invalid_fields") or payload.get("messages"):
                refused = True
        if refused and 400 <= resp.status_code < 500 and "Traceback" in body:
            self.violation(target, "refusal shows a traceback", body[-200:], values)
        if SCRIPT in body and any(SCRIPT in str(v) for v in values.values()):
            self.violation(target, "script echoed unescaped", url, values)
        if self.other_order_name and self.other_order_name in body:
            self.violation(target, "another customer's order shown", self.other_order_name, values)
        after_all, after_other = self.snapshot()
        if after_other != before_other:
            self.violation(target, "another customer's data changed", "", values)
        if refused:
            self.refused += 1
            if after_all != before_all:
                self.violation(target, "data changed although refused", resp.status_code, values)

    def fuzz(self, name, examples, fields_strategy, fn):
        @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(fields_strategy)
        def case(values):
            fn(values)

        say("bad-input", f"{name}: {examples} examples")
        case()


def setup(db):
    with odoo_env(db, commit=False) as env:
        env.cr.execute(
            "SELECT u.login, u.partner_id FROM res_users u WHERE u.share AND u.login LIKE %s ORDER BY u.login LIMIT 1",
            ["%@bench.example"],
        )
        login, own = env.cr.fetchone()
        env.cr.execute(
            "SELECT so.partner_id, so.id, so.name FROM sale_order so WHERE so.state = 'sale' AND so.partner_id <> %s"
            " ORDER BY so.id LIMIT 1",
            [own],
        )
        other, other_order, other_order_name = env.cr.fetchone()
        return login, own, other, other_order, other_order_name


def run(db, examples):
    login, own, other, other_order, other_order_name = setup(db)
    with OdooServer(db, workers=2) as server:
        drill = Drill(db, server)
        drill.own_partner, drill.other_partner, drill.other_order_name = own, other, other_order_name
        http = server.session(login, PORTAL_PASSWORD)
        other_ids = [other, other_order, 1, 2, 3]
        values = bad_values(other_ids)
        forms, found_pages = [], []
        csrf = None
        for page in PAGES:
            resp = http.get(server.url + page, timeout=120)
            if resp.status_code != 200:
                continue
            found_pages.append(page)
            parser = FormParser()
            parser.feed(resp.text)
            m = re.search(r'csrf_token["\']?\s*[:=]\s*["\']([0-9a-f]+o?\d*)["\']', resp.text)
            csrf = parser.csrf or (m and m.group(1)) or csrf
            for form in parser.forms:
                action = form["action"] or page
                if action.startswith("/") and not action.startswith(NEVER_POST) and form["fields"]:
                    forms.append((action, sorted(form["fields"])))
        forms.append(
            (
                "/my/address/submit",
                ["partner_id", "name", "email", "phone", "street", "city", "zip", "country_id", "address_type"],
            )
        )
        merged = {}
        for action, fields in forms:
            merged.setdefault(action, set()).update(fields)
        seen = set(merged)
        for action, fields in sorted(merged.items()):
            fields = sorted(fields)
            drill.fuzz(
                f"POST {action}",
                examples,
                st.fixed_dictionaries({f: values for f in fields}),
                lambda v, a=action: drill.send(http, f"POST {a}", "POST", server.url + a, {**v, "csrf_token": csrf}),
            )
        drill.fuzz(
            "GET /my/orders",
            examples,
            st.fixed_dictionaries({k: values for k in ("sortby", "filterby", "date_begin", "date_end", "page")}),
            lambda v: drill.send(http, "GET /my/orders", "GET", server.url + "/my/orders", v),
        )
        drill.fuzz(
            "GET another customer's order",
            min(examples, 5),
            st.fixed_dictionaries({"access_token": values}),
            lambda v: drill.send(http, "GET /my/orders/<other>", "GET", f"{server.url}/my/orders/{other_order}", v),
        )
        for path, params in JSON_ROUTES:
            drill.fuzz(
                f"JSON {path}",
                examples,
                st.fixed_dictionaries(
                    {p: st.one_of(values, st.lists(values, max_size=3), st.integers()) for p in params}
                ),
                lambda v, p=path: drill.send(http, f"JSON {p}", "POST", server.url + p, v, json_route=True),
            )
    kinds = {}
    for v in drill.violations:
        kinds.setdefault(f"{v['target']}: {v['kind']}", []).append(v)
    result = {
        "tried": f"{drill.requests} requests ({examples} hypothesis examples per target) to"
        f" {len(seen) + 2 + len(JSON_ROUTES)} targets on pages {found_pages}",
        "forms_fuzzed": sorted(seen),
        "refused": drill.refused,
        "violations_our_routes": sum(v["owner"] == "ours" for v in drill.violations),
        "violations_odoo_routes": sum(v["owner"] == "odoo" for v in drill.violations),
        "violation_kinds": {k: len(v) for k, v in kinds.items()},
        "examples": [v[0] for v in kinds.values()][:8],
        "nothing_lost": not any(
            v["kind"] in ("data changed although refused", "another customer's data changed") for v in drill.violations
        ),
    }
    say(
        "bad-input",
        f"{result['tried']}: {result['violations_our_routes']} violations on our routes,"
        f" {result['violations_odoo_routes']} on Odoo's own: {result['violation_kinds']}",
    )
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--examples", type=int, default=30)
    args = parser.parse_args(argv)
    emit(run(args.db, args.examples))


if __name__ == "__main__":
    sys.exit(main())

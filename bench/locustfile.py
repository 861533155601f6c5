"""Locust: desk users on a live server (run by ``live_load.py``; issue 13).

Each simulated user logs in as its own desk user (``bench_desk01``… of
``gen_tickets.py``, password ``bench``), reads the ticket views once
(``get_views``, as the web client does when the menu opens), then, with 1–3 s
of think time between actions (``RS_LOAD_WAIT``):

- opens the kanban (``web_read_group`` by stage + one ``web_search_read`` per
  unfolded stage, limit 40, the kanban's field specification), weight 4;
- opens a ticket of it (``web_read`` with the form's field specification), 4;
- posts an internal note on it (``message_post``), 2;
- records a call (the intake form: ``web_save`` of the wizard, then its
  ``action_create`` button: a ticket with all intake data), 1;
- ``/web/health``, the floor, 1.

Environment: ``RS_LOAD_DB`` (database), ``RS_LOAD_FIRST_USER`` (default 1),
``RS_LOAD_WAIT`` (think time, seconds: "1,3" by default).
Runs in locust's own virtualenv: standard library + locust only.
"""

import itertools
import json
import os
import random

from _spec import field_spec
from locust import HttpUser, between, events, task

DB = os.environ.get("RS_LOAD_DB", "rs_bench_200k")
PASSWORD = os.environ.get("RS_LOAD_PASSWORD", "bench")
LOGINS = itertools.count(int(os.environ.get("RS_LOAD_FIRST_USER", "1")))
CONTEXT = {"lang": "en_US", "tz": "Asia/Shanghai"}
# the desk's actions, without the log-in (password hashing, a cold worker) and the
# one get_views per user: their response times go to RS_LOAD_SUMMARY at the end
SETUP = {"login", "get_views"}
ACTIONS = {"times": [], "errors": 0}


@events.request.add_listener
def _record(name, response_time, exception, **_kwargs):
    if name in SETUP:
        return
    ACTIONS["times"].append(response_time)
    ACTIONS["errors"] += exception is not None


@events.quitting.add_listener
def _summary(**_kwargs):
    path = os.environ.get("RS_LOAD_SUMMARY")
    if path:
        with open(path, "w") as handle:
            json.dump(ACTIONS, handle)


WAIT = [float(x) for x in os.environ.get("RS_LOAD_WAIT", "1,3").split(",")]


class DeskUser(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        self.login = f"bench_desk{next(LOGINS):02d}"
        self.rng = random.Random(self.login)
        result = self.rpc(
            "/web/session/authenticate",
            {"db": DB, "login": self.login, "password": PASSWORD},
            name="login",
        )
        self.uid = result["uid"]
        self.odoo_context = dict(
            CONTEXT,
            uid=self.uid,
            allowed_company_ids=[result["user_companies"]["current_company"]],
        )
        views = self.call(
            "helpdesk.ticket",
            "get_views",
            [[[False, "kanban"], [False, "form"]]],
            {"options": {"toolbar": True, "load_filters": True}},
            name="get_views",
        )
        fields = views["models"]["helpdesk.ticket"]["fields"]
        self.kanban_spec = field_spec(views["views"]["kanban"]["arch"], fields)
        self.form_spec = field_spec(views["views"]["form"]["arch"], fields)
        self.ticket_ids = []
        self.open_kanban()

    # ------------------------------------------------------------------ helpers

    def rpc(self, url, params, name):
        with self.client.post(
            url,
            json={"jsonrpc": "2.0", "method": "call", "params": params},
            name=name,
            catch_response=True,
        ) as response:
            body = response.json() if response.ok else {}
            if "error" in body:
                response.failure(body["error"].get("data", {}).get("message", "error"))
                return None
            if not response.ok:
                response.failure(f"HTTP {response.status_code}")
                return None
            return body.get("result")

    def call(self, model, method, args, kwargs=None, name=None):
        kwargs = dict(kwargs or {})
        kwargs.setdefault("context", self.odoo_context)
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
            name=name or f"{model}.{method}",
        )

    # ------------------------------------------------------------------ tasks

    @task(4)
    def open_kanban(self):
        groups = self.call(
            "helpdesk.ticket",
            "web_read_group",
            [],
            {
                "domain": [],
                "fields": ["__count"],
                "groupby": ["stage_id"],
                "lazy": True,
                "orderby": "",
            },
            name="kanban: web_read_group",
        )
        ids = []
        for group in (groups or {}).get("groups", []):
            if group.get("__fold"):
                continue
            page = self.call(
                "helpdesk.ticket",
                "web_search_read",
                [],
                {
                    "domain": group["__domain"],
                    "specification": self.kanban_spec,
                    "offset": 0,
                    "limit": 40,
                    "order": "",
                    "count_limit": 10001,
                },
                name="kanban: web_search_read",
            )
            ids += [record["id"] for record in (page or {}).get("records", [])]
        if ids:
            self.ticket_ids = ids

    @task(4)
    def open_ticket(self):
        if not self.ticket_ids:
            return
        ticket_id = self.rng.choice(self.ticket_ids)
        self.call(
            "helpdesk.ticket",
            "web_read",
            [[ticket_id]],
            {"specification": self.form_spec},
            name="ticket: web_read",
        )

    @task(2)
    def post_note(self):
        if not self.ticket_ids:
            return
        self.call(
            "helpdesk.ticket",
            "message_post",
            [[self.rng.choice(self.ticket_ids)]],
            {
                "body": f"Load test note by {self.login}",
                "message_type": "comment",
                "subtype_xmlid": "mail.mt_note",
            },
            name="ticket: message_post (note)",
        )

    @task(1)
    def record_call(self):
        number = self.rng.randrange(1, 300)
        wizard = self.call(
            "response.support.phone.intake",
            "web_save",
            [[]],
            {
                "vals": {
                    "phone": f"+86 10 5555 {number:04d}",
                    "name": f"Load test call of {self.login}",
                    "description": "The billing screen shows error 500.",
                    "impact": "medium",
                    "urgency": "high",
                    "no_attachment": True,
                },
                "specification": {"display_name": {}},
            },
            name="intake: web_save",
        )
        if wizard:
            self.rpc(
                "/web/dataset/call_button",
                {
                    "model": "response.support.phone.intake",
                    "method": "action_create",
                    "args": [[wizard[0]["id"]]],
                    "kwargs": {"context": self.odoo_context},
                },
                name="intake: action_create",
            )

    @task(1)
    def health(self):
        self.client.get("/web/health", name="/web/health")

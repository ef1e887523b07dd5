"""Locust users of bench/load.py (headless). The plan (JSON, path in BENCH_LOAD_PLAN) gives
each simulated person a real session cookie and the pages they visit.

* BENCH_LOAD_MODE=mixed: half applicants (region home, call page, my dossiers, one of their
  dossiers), half instructors (dashboard, one dossier's instruction page);
* BENCH_LOAD_MODE=trivial: everyone requests /ping (no database);
* BENCH_LOAD_WRITES=<n> (mixed only): besides them, one more instructor saves a dashboard
  view n times a second (a POST, a row written in the measured tenant: every page kept by
  portal.pagecache in that tenant is rendered again afterwards).

Production settings mark the session cookie Secure; the bench speaks plain HTTP on loopback,
so the cookie is sent as a header and the request says it came through HTTPS (the proxy
header production trusts). With it goes the CSRF cookie a browser holds from its first page
(portal.pagecache keeps pages only for a visitor who has one: their forms carry its tokens).
"""

import itertools
import json
import os
import random
from urllib.parse import urlsplit

from locust import FastHttpUser, constant, constant_throughput, task

PLAN = json.loads(open(os.environ["BENCH_LOAD_PLAN"], encoding="utf-8").read())
MODE = os.environ.get("BENCH_LOAD_MODE", "mixed")
WRITES = float(os.environ.get("BENCH_LOAD_WRITES") or 0)
_people = itertools.cycle(PLAN["people"])


class Person(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.person = next(_people)
        self.headers = {"X-Forwarded-Proto": "https"}
        if MODE != "trivial":  # /ping is anonymous: no session to load
            self.headers["Cookie"] = (f"{PLAN['cookie_name']}={self.person['session']}; "
                                      f"{PLAN['csrf_cookie_name']}={self.person['csrf']}")

    def _get(self, url, name):
        with self.client.get(url, headers=self.headers, name=name, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")

    @task
    def visit(self):
        if MODE == "trivial":
            self._get("/ping", "ping")
            return
        name, url = random.choice(self.person["pages"])
        self._get(url, name)


class Writer(FastHttpUser):
    """One instructor writing to the tenant at a steady pace (BENCH_LOAD_WRITES a second)."""

    abstract = not (WRITES and MODE == "mixed")  # not a user of this run otherwise
    fixed_count = 1
    wait_time = constant_throughput(WRITES or 1)

    def on_start(self):
        self.writer = PLAN["writer"]
        self.count = itertools.count(1)
        # the CSRF check of a request over HTTPS wants a Referer of the same origin
        referer = f"https://{urlsplit(self.host).netloc}/"
        self.headers = {"X-Forwarded-Proto": "https", "Referer": referer,
                        "Cookie": f"{PLAN['cookie_name']}={self.writer['session']}; "
                                  f"{PLAN['csrf_cookie_name']}={self.writer['csrf']}"}

    @task
    def write(self):
        with self.client.post(self.writer["url"], headers=self.headers, name="write: saved view",
                              data={"csrfmiddlewaretoken": self.writer["csrf"],
                                    "name": f"Vue {next(self.count)}", "query": "sort=score"},
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code} for a write")

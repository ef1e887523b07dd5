"""Locust users of bench/load.py (headless). The plan (JSON, path in BENCH_LOAD_PLAN) gives
each simulated person a real session cookie and the pages they visit.

* BENCH_LOAD_MODE=mixed: half applicants (region home, call page, my dossiers, one of their
  dossiers), half instructors (dashboard, one dossier's instruction page);
* BENCH_LOAD_MODE=trivial: everyone requests /ping (no database).

Production settings mark the session cookie Secure; the bench speaks plain HTTP on loopback,
so the cookie is sent as a header and the request says it came through HTTPS (the proxy
header production trusts).
"""

import itertools
import json
import os
import random

from locust import FastHttpUser, constant, task

PLAN = json.loads(open(os.environ["BENCH_LOAD_PLAN"], encoding="utf-8").read())
MODE = os.environ.get("BENCH_LOAD_MODE", "mixed")
_people = itertools.cycle(PLAN["people"])


class Person(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.person = next(_people)
        self.headers = {"X-Forwarded-Proto": "https"}
        if MODE != "trivial":  # /ping is anonymous: no session to load
            self.headers["Cookie"] = f"{PLAN['cookie_name']}={self.person['session']}"

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

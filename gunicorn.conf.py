"""gunicorn's settings for the portal (read from the working directory by `gunicorn
portal.wsgi`: the Dockerfile, docker-compose.yml and bench/load.py all start it that way).

Threads: a request spends part of its time waiting for PostgreSQL and Redis; with 4 threads
per process another request runs meanwhile, where a sync worker would sit idle (measured with
bench/load.py, see the README). Processes: WEB_CONCURRENCY, default 2 per core."""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# The application (Django, the templates, WeasyPrint-free) is imported once in the master and
# shared by the workers through copy-on-write.
preload_app = True
# A worker serving nothing for that long is restarted (a stuck database call, for instance).
timeout = 60
keepalive = 5
# Recycle processes now and then: a slow leak never grows without bound.
max_requests = 5000
max_requests_jitter = 500

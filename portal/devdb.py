"""Start (or reuse) the embedded PostgreSQL of `make run` / `make test` in ./var/pgdata and
print its DATABASE_URL. Real PostgreSQL from the `pgserver` wheel: nothing to install.

    python -m portal.devdb          # prints postgresql://postgres:@/portal?host=...
"""

import sys
from urllib.parse import quote
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(dbname: str = "portal") -> str:
    import pgserver

    data = ROOT / "var" / "pgdata"
    data.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data, cleanup_mode=None)  # keeps running for the next command
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{dbname}';")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{dbname}";')
    # The socket directory as an URL-encoded host: understood by django-environ and psql alike.
    return f"postgresql://postgres@/{dbname}?host={quote(str(data), safe='/')}"


def connection_url(settings_dict: dict) -> str:
    """The DATABASE_URL of a Django connection's settings, for a child process (a worker, a
    management command, gunicorn): TCP host and port, or the socket directory of the embedded
    server (given as `?host=`, which `HOST` does not hold then)."""
    s = settings_dict
    host = s.get("HOST") or s.get("OPTIONS", {}).get("host", "")
    user = quote(s.get("USER") or "postgres", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    name = quote(s["NAME"], safe="")
    if host.startswith("/"):
        port = f"&port={s['PORT']}" if s.get("PORT") else ""
        return f"postgresql://{user}{password}@/{name}?host={quote(host, safe='/')}{port}"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgresql://{user}{password}@{host or '127.0.0.1'}{port}/{name}"


if __name__ == "__main__":
    print(main(*sys.argv[1:]))

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


if __name__ == "__main__":
    print(main(*sys.argv[1:]))

# The two commands of the README: `make run` (the demo portal) and `make test` (every test).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# DATABASE_URL if set, else the embedded PostgreSQL (pgserver wheel, data in ./var/pgdata).
WITH_DB = export DATABASE_URL="$${DATABASE_URL:-$$($(PY) -m portal.devdb 2>/dev/null)}" &&

.PHONY: help install install-test run test worker migrate seed check-deploy messages backup restore

help:
	@echo "make run     start the demo portal on http://127.0.0.1:$(PORT) (PORT=8080 make run)"
	@echo "make test    run the whole test suite on PostgreSQL"
	@echo "make worker  start a Celery worker and beat (needs REDIS_URL)"

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-test.txt
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	@$(WITH_DB) DJANGO_SETTINGS_MODULE=portal.settings.dev $(PY) manage.py migrate --noinput

run: install
	@$(WITH_DB) export DJANGO_SETTINGS_MODULE=portal.settings.dev PORT=$(PORT) && \
	export PORTAL_BASE_URL="$${PORTAL_BASE_URL:-http://127.0.0.1:$(PORT)}" && \
	$(PY) manage.py migrate --noinput -v0 && \
	$(PY) manage.py compilemessages -v0 --ignore=.venv 2>/dev/null; \
	$(PY) manage.py seed_demo && \
	echo "Portail : $$PORTAL_BASE_URL/ — courriels envoyés : $${EMAIL_FILE_PATH:-var/mail}/*.eml" && \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The import layers first (pyproject.toml [tool.importlinter]: a lower app never imports a
# higher one), then every test.
test: install-test
	@$(VENV)/bin/lint-imports --no-cache
	@$(WITH_DB) $(PY) -m pytest $(PYTEST_ARGS)

worker: install
	@$(WITH_DB) DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-portal.settings.dev} \
	$(VENV)/bin/celery -A portal worker -B -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler

# Reads .env when present (the file docker compose uses): the legal-notice variables are checked.
check-deploy: install
	@if [ -f .env ]; then set -a; . ./.env; set +a; fi; \
	$(WITH_DB) DJANGO_SETTINGS_MODULE=portal.settings.production \
	SECRET_KEY=$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-portail.example} $(PY) manage.py check --deploy --fail-level WARNING

# The catalogues never touch the database; the settings only need a URL to load.
messages: install
	export DATABASE_URL="$${DATABASE_URL:-postgres://localhost/unused}" && \
	$(PY) manage.py makemessages -l en --no-wrap --ignore=.venv --ignore=var && \
	$(PY) manage.py compilemessages --ignore=.venv

# make backup                          -> var/backups/<timestamp>/ (database + private files)
# make restore BACKUP=var/backups/<timestamp>
backup: install
	@$(WITH_DB) $(PY) manage.py backup

restore: install
	@test -n "$(BACKUP)" || (echo "usage: make restore BACKUP=var/backups/<timestamp>" && exit 2)
	@$(WITH_DB) $(PY) manage.py restore "$(BACKUP)"

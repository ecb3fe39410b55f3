# The two commands of the README. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv migrate seed messages deploy-check clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "liaison needs Python 3.11 or newer: set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-ldap.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@if [ -f /usr/include/ldap.h ] && [ -f /usr/include/sasl/sasl.h ]; then \
	  $(PY) -m pip install --quiet -r requirements-ldap.txt; \
	else \
	  echo "liaison: directory login (LDAP) not installed: it needs OpenLDAP's headers (apt-get install libldap2-dev libsasl2-dev, then make venv); everything else works without it"; \
	fi
	@touch $(STAMP)

venv: $(STAMP)

# make run: migrate, load the demo organisation (idempotent), then web + worker + beat.
# Ctrl-C (or any of the three dying) stops all three.
run: export DJANGO_DEBUG ?= 1
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "liaison: http://$(HOST):$(PORT)/  (demo users in README.md; Ctrl-C stops web, worker and beat)"
	@VENV=$(VENV) HOST=$(HOST) PORT=$(PORT) scripts/run-all.sh

# make test: the whole suite. With DATABASE_URL / REDIS_URL set it runs against those servers.
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

messages: $(STAMP)
	$(PY) manage.py makemessages -l en --no-obsolete -i .venv -i var
	$(PY) manage.py compilemessages -l en -i .venv

deploy-check: $(STAMP)
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	DJANGO_ALLOWED_HOSTS=liaison.example.com \
	$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var db.sqlite3

# The two commands a newcomer needs: `make run` and `make test` (README).
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test install install-test browser lint messages bench clean totp

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt $(PY)
	$(PIP) install -r requirements.txt
	@touch $@

$(VENV)/.installed-test: requirements-test.txt requirements.txt $(PY)
	$(PIP) install -r requirements-test.txt
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make run: virtualenv, install, database + Redis, migrate, demo trial, web + Celery worker + beat
run: install
	$(PY) scripts/services.py run

## make totp user=pi: the current two-step sign-in code of a demo user (works beside `make run`)
totp: install
	@test -n "$(user)" || { echo "usage: make totp user=pi"; exit 2; }
	@$(PY) scripts/services.py totp $(user)

## make test: the whole suite on real PostgreSQL and Redis (embedded when the URLs are unset)
test: install-test browser
	$(PY) -m ruff check .
	$(PY) scripts/services.py exec -- $(PY) -m pytest $(PYTEST_ARGS)

## make bench: synthetic trials at 96 and 10,000 participants (built once, reused while the generator and the
## migrations are unchanged), then the figures of tests/bench/README.md; results in var/bench/results.{json,md}.
## Not part of `make test` (pytest collects only tests/**/test_*.py).
bench: install-test
	$(PY) scripts/services.py exec -- $(PY) -m tests.bench.run

## Debian's Chromium (Playwright drives /usr/bin/chromium; no browser download) and R for the R-loader test
browser:
	@bash scripts/ensure_chromium.sh

lint: install-test
	$(PY) -m ruff check .

## Refresh the catalogue from the code (needs GNU gettext), then compile the shipped .mo with polib.
## Fill new msgstr entries in locale/zh_Hans/LC_MESSAGES/django.po between the two steps.
messages: install-test
	$(PY) scripts/services.py exec -- $(PY) manage.py makemessages -l zh_Hans --no-obsolete \
		--ignore=".venv/*" --ignore="var/*" --ignore="tests/*"
	$(PY) scripts/compile_messages.py

clean:
	rm -rf $(VENV) var

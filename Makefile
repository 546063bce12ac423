# The README's two commands: `make run` and `make test`. Everything they need
# is installed here, so a fresh machine needs nothing by hand.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/askfirst
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` runs the consent request in minutes: request, four reminders, expiry.
DEMO_SCHEDULE ?= 0m,2m,4m,6m,8m,10m

.PHONY: run test lint typecheck pytest pytest-sqlite pytest-postgres messages compilemessages \
	bench-import bench-portal bench-lifecycle bench-deliver system-packages gettext node-modules clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

# Debian tools the tests use: gettext to compile catalogues, Chromium for the
# browser tests (Playwright drives the system one; it cannot download its own
# here), sqlite3 for the import benchmark's reference figure, Java and npm for
# the HTML checker and axe-core.
system-packages:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v sqlite3 >/dev/null || missing="$$missing sqlite3"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			-o DPkg::Lock::Timeout=120 --no-install-recommends $$missing; \
	fi

# The browser tests' checkers: axe-core (accessibility) and vnu-jar (the Nu HTML
# checker, run with the system Java), pinned by package-lock.json.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json | system-packages
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

node-modules: $(NODE_STAMP)

# `make run` needs only msgfmt; the tests need the rest of system-packages.
gettext:
	@command -v msgfmt >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq -o DPkg::Lock::Timeout=120 --no-install-recommends gettext; }

compilemessages: $(STAMP) gettext
	mkdir -p askfirst/locale
	cd askfirst && DJANGO_SETTINGS_MODULE=askfirst.settings ../$(BIN)/django-admin compilemessages >/dev/null

messages: $(STAMP)
	cd askfirst && DJANGO_SETTINGS_MODULE=askfirst.settings \
		../$(BIN)/django-admin makemessages -l de -l en --no-obsolete

run: $(STAMP) compilemessages
	mkdir -p var
	$(BIN)/askfirst migrate --noinput
	$(BIN)/askfirst collectstatic --noinput -v 0
	ASKFIRST_SITE_URL="$${ASKFIRST_SITE_URL:-http://$(HOST):$(PORT)}" $(BIN)/askfirst demo
	ASKFIRST_SCHEDULE="$${ASKFIRST_SCHEDULE:-$(DEMO_SCHEDULE)}" \
	ASKFIRST_SITE_URL="$${ASKFIRST_SITE_URL:-http://$(HOST):$(PORT)}" \
		$(BIN)/askfirst serve --host $(HOST) --port $(PORT) --demo-smtp

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy askfirst

pytest-sqlite: $(STAMP) compilemessages system-packages $(NODE_STAMP)
	env -u DATABASE_URL $(BIN)/pytest -q

pytest-postgres: $(STAMP) compilemessages $(NODE_STAMP)
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q

test: lint typecheck pytest-sqlite pytest-postgres

bench-import: $(STAMP)
	$(BIN)/python bench/import.py

# The portal benchmark drives the servers with wrk (Debian package).
bench-portal: $(STAMP)
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq -o DPkg::Lock::Timeout=120 --no-install-recommends wrk; }
	$(BIN)/python bench/portal.py

bench-lifecycle: $(STAMP)
	$(BIN)/python bench/lifecycle.py

# Postfix's smtp-sink is the fast receiving end (aiosmtpd would cap the figure).
bench-deliver: $(STAMP)
	@test -x /usr/sbin/smtp-sink || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq -o DPkg::Lock::Timeout=120 --no-install-recommends postfix; }
	$(BIN)/python bench/deliver.py

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static

# The two commands: `make run` and `make test`. Everything else is a helper.
PY ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never

.PHONY: install run test test-fast test-embedded lint typecheck clean bench bench-service

$(UV):
	$(PY) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --locked --python $(PY)
	cd tests/console && npm ci --no-audit --no-fund --silent
	@# The embedded OpenID Connect provider (oidc/), from its lock file, when missing or stale.
	@if [ ! -f oidc/node_modules/.package-lock.json ] || \
	    [ oidc/package-lock.json -nt oidc/node_modules/.package-lock.json ]; then \
	  npm ci --prefix oidc --no-audit --no-fund --loglevel=error >/dev/null; fi

run: install
	.venv/bin/utvag run

# On both cores (pytest-xdist): the stacks of tests/e2e and tests/ops each on one worker,
# started first, the rest module by module beside them (tests/parallel.py, docs/testing.md).
# `make test XDIST=` runs in one process.
XDIST ?= -n 2 --dist loadscope --no-loadscope-reorder

# Everything, tests/ops included (they skip without a PostgreSQL at 127.0.0.1:5432).
# PYTEST_ARGS selects, e.g. `make test PYTEST_ARGS="-m 'not embedded'"`.
test: install
	.venv/bin/pytest $(XDIST) $(PYTEST_ARGS)

# The quick loop: everything but the stacks (tests/e2e, tests/ops).
test-fast: install
	.venv/bin/pytest $(XDIST) -m "not e2e and not ops" $(PYTEST_ARGS)

# The tests about the embedded PostgreSQL default, on the embedded server whatever the
# environment says (CI runs them here when its main pass used 127.0.0.1:5432).
test-embedded: install
	env -u TEST_DATABASE_URL -u DATABASE_URL .venv/bin/pytest -m embedded $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .

typecheck: install
	.venv/bin/mypy models adapters services tasks flows deployments utvag_cli simulators caseservice

bench: install
	.venv/bin/python bench/sweep.py

# The case service under 50 concurrent authenticated clients against bare endpoints
# (docs/benchmarks-service.md); 3-5 minutes on the shared 2-core machine.
bench-service: install
	.venv/bin/python bench/service.py

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache

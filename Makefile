# The two commands: `make run` and `make test`. Everything else is a helper.
PY ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never

.PHONY: install run test lint typecheck clean bench bench-service

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

test: install
	.venv/bin/pytest

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

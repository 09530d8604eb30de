# Two commands: `make run` (the embedded default, demo data, http://127.0.0.1:8000/) and
# `make test` (every check CI runs). The scripts install what they need on first use.
.PHONY: run test bench lint format demo clean

run:
	bash scripts/run

test:
	bash scripts/test

bench:
	bash scripts/bench $(ARGS)

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

demo:
	.venv/bin/python manage.py demo_load

# Removes the embedded default's data (SQLite, broker, CA, documents): a fresh start.
clean:
	rm -rf var/

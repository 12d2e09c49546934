# Convenience targets; each one calls a script in tools/, which sets up what it needs.
.PHONY: level0 test build lint bench clean

level0:
	tools/level0.sh

test:
	tools/test.sh

build:
	tools/build.sh

lint:
	tools/setup.sh --no-gltf-validator 5.0
	.venv-5.0/bin/ruff check . && .venv-5.0/bin/ruff format --check . && .venv-5.0/bin/mypy

bench:
	tools/setup.sh --no-gltf-validator 5.0
	.venv-5.0/bin/python benchmarks/bench_generate.py

clean:
	rm -rf dist out .pytest_cache .mypy_cache .ruff_cache

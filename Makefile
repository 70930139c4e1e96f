# The two commands a newcomer needs: `make run` and `make test`. See README.md.
SHELL := /bin/bash
SWIFT ?= swift
INFRA := deploy/local/infra.sh
SERVICES := deploy/local/services.sh

.PHONY: run test servers build stop status unit-test bench chaos chaos-short kit-bench compose-check clean-local api-fuzz generate

## Start the local broker and database, build, start the five services.
run: servers build
	@$(SERVICES) start
	@$(SERVICES) demo
	@echo
	@echo "Services are running. Logs: .local/logs/<service>.log   Stop: make stop"
	@echo "RabbitMQ management: http://127.0.0.1:15672 (bizops / bizops-dev)"

## Start the servers, build, and run every test (unit, integration, end-to-end).
# One build of everything with the tests (a plain `swift build` first would compile some modules
# twice), then the lanes side by side: deploy/local/test-lanes.sh.
test: servers
	python3 Tools/generate/generate.py --check
	python3 docs/contracts/check.py
	python3 Tools/structure/capability_cycles.py >/dev/null
	python3 Tools/structure/sql_in_stores.py
	$(SWIFT) build --build-tests
	deploy/local/test-lanes.sh

## Fuzz each service's HTTP API from its OpenAPI document (docs/api/) with schemathesis, on a system of its own.
api-fuzz: servers build
	@$(SERVICES) stop >/dev/null
	@LOG_LEVEL=warning $(SERVICES) start
	deploy/local/api-fuzz.sh; status=$$?; $(SERVICES) stop >/dev/null; exit $$status

## Write every file that restates a fact written once (reason codes, the service list): Tools/generate.
generate:
	python3 Tools/generate/generate.py

## Unit tests only: no servers needed.
unit-test:
	$(SWIFT) test --filter UnitTests

servers:
	@$(INFRA) start

build:
	$(SWIFT) build

stop:
	@$(SERVICES) stop || true
	@$(INFRA) stop

status:
	@$(INFRA) status; $(SERVICES) status

# The load driver (Tools/load-driver, docs/benchmarks.md) plays the outside systems against services it
# starts itself from a release build, then checks the books; it fails on any order lost or doubled.
BENCH_ARGS ?= --duration 60 --warmup 10
CHAOS_ARGS ?= --orders 10000 --replicas 2 --in-flight 300

## Throughput and latency through the five services, beside the same run's broker and database ceilings.
bench: servers
	$(SWIFT) build -c release
	@$(SERVICES) stop >/dev/null
	.build/release/load-driver bench --bin-dir .build/release $(BENCH_ARGS)

## The same load with faults: SIGKILLs, a broker and a database restart, hostile messages; two replicas.
chaos: servers
	$(SWIFT) build -c release
	@$(SERVICES) stop >/dev/null
	.build/release/load-driver chaos --bin-dir .build/release $(CHAOS_ARGS)

## CI's short fault run (debug build, a fixed seed, a few hundred orders, under five minutes).
chaos-short: servers build
	@$(SERVICES) stop >/dev/null
	.build/debug/load-driver chaos --bin-dir .build/debug --seed 7 --orders 300 --rate 25 --warmup 0 --replicas 2 \
		--kill-every 3 --hostile-rate 10 --no-ceilings --drain-timeout 120 --results .local/bench-results

## The kit alone beside bare rabbitmq-c / libpq loops (release build): the ceilings the driver also measures.
kit-bench: servers
	$(SWIFT) build -c release --product kit-bench
	.build/release/kit-bench

compose-check:
	docker-compose -f docker-compose.yml config -q

## Delete all local server data (broker and database start empty next time).
clean-local: stop
	@$(INFRA) reset

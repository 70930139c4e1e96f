# The two commands a newcomer needs: `make run` and `make test`. See README.md.
SHELL := /bin/bash
SWIFT ?= swift
INFRA := deploy/local/infra.sh
SERVICES := deploy/local/services.sh

.PHONY: run test servers build stop status unit-test bench flow-bench compose-check clean-local api-fuzz

## Start the local broker and database, build, start the five services.
run: servers build
	@$(SERVICES) start
	@$(SERVICES) demo
	@echo
	@echo "Services are running. Logs: .local/logs/<service>.log   Stop: make stop"
	@echo "RabbitMQ management: http://127.0.0.1:15672 (bizops / bizops-dev)"

## Start the servers, build, and run every test (unit, integration, end-to-end).
test: servers build
	python3 docs/contracts/check.py
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

## Fuzz each service's HTTP API from its OpenAPI document (docs/api/) with schemathesis, on a system of its own.
api-fuzz: servers build
	@$(SERVICES) stop >/dev/null
	@LOG_LEVEL=warning $(SERVICES) start
	deploy/local/api-fuzz.sh; status=$$?; $(SERVICES) stop >/dev/null; exit $$status

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

## Throughput and latency of the kit beside bare rabbitmq-c / libpq loops (release build).
bench: servers
	$(SWIFT) build -c release --product kit-bench
	.build/release/kit-bench

## Orders per second and latency through the five services, built for release.
flow-bench: servers
	$(SWIFT) build -c release
	@$(SERVICES) stop >/dev/null
	@BIZOPS_BIN_DIR=.build/release LOG_LEVEL=warning $(SERVICES) start
	@$(SERVICES) demo-data >/dev/null
	.build/release/flow-bench; status=$$?; $(SERVICES) stop >/dev/null; exit $$status

compose-check:
	docker-compose -f docker-compose.yml config -q

## Delete all local server data (broker and database start empty next time).
clean-local: stop
	@$(INFRA) reset

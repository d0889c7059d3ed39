# gmailsend — `make help` lists the targets.
GO          ?= go
EVENT       ?= events/apigateway-rest.json
FUZZTIME    ?= 30s
BENCH_RTT   ?= 10ms
# BENCH_BEFORE=<git revision> also runs that revision's bootstrap: before/after in one run.
BENCH_BEFORE ?=
# make chaos: the fault campaign's seed (random when empty), requests per round, and how long
# to keep running rounds (seeds SEED, SEED+1, …; one round when empty); rates as in chaos_test.go.
SEED        ?=
N           ?= 100
DURATION    ?=
FAULT_RATE  ?=
KILL_RATE   ?=
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
LAMBDA_FLAGS = -tags lambda.norpc -trimpath -ldflags='-s -w -buildid='

.PHONY: help build test lint run serve mailpit deploy clean fuzz bench node-deps mta-deps browser-deps chaos FORCE

help: ## list the targets
	@grep -E '^[a-zA-Z_%-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort | awk -F'\t' '{printf "  %-26s %s\n", $$1, $$2}'

build: ## build the Lambda binary bin/bootstrap (linux/arm64)
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o bin/bootstrap ./functions/gmailsend

build-GmailSendFunction: ## sam build target: writes $(ARTIFACTS_DIR)/bootstrap
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/gmailsend

build-BounceFunction: ## sam build target of the bounce reader: writes $(ARTIFACTS_DIR)/bootstrap
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/bounces

build-EventsFunction: ## sam build target of the events function: writes $(ARTIFACTS_DIR)/bootstrap
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/events

test: lint node-deps mta-deps browser-deps ## lint, then every test with the race detector, counts and skip reasons (CI runs this)
	@echo "the benchmarks of internal/gomailmime, once each (their output only if they fail)"
	@out=$$($(GO) test -run '^$$' -bench . -benchtime 1x ./internal/gomailmime 2>&1) || { echo "$$out"; exit 1; }
	$(GO) run ./dev/testsummary -race -count=1 ./...

lint: ## go vet and staticcheck
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# localrun is built, then run (not go run): go run exits 1 after Ctrl-C
# even when the program stopped cleanly, and make then reports an error.
LOCALRUN = .local/bin/localrun

$(LOCALRUN): FORCE
	@$(GO) build -o $(LOCALRUN) ./dev/localrun

# Mailpit (a mail catcher with a web page per message), built from its Go
# module into .local/bin: never installed globally. MAILPIT=1 makes run and
# serve deliver to it.
MAILPIT_MODULE = github.com/axllent/mailpit@v1.33.1
MAILPIT_BIN    = .local/bin/mailpit

$(MAILPIT_BIN):
	GOBIN=$(CURDIR)/.local/bin $(GO) install $(MAILPIT_MODULE)

run: node-deps $(LOCALRUN) $(if $(MAILPIT),$(MAILPIT_BIN)) ## run the real bootstrap on an event against a local SMTP server (EVENT=events/…; MAILPIT=1: into Mailpit)
	$(LOCALRUN) run -event $(EVENT) $(if $(MAILPIT),-mailpit $(MAILPIT_BIN))

serve: node-deps $(LOCALRUN) $(if $(MAILPIT),$(MAILPIT_BIN)) ## local HTTP endpoint on :3000 (every route of template.yaml, local API keys, queue and scheduler), like sam local start-api (MAILPIT=1: mail into Mailpit)
	$(LOCALRUN) serve $(if $(MAILPIT),-mailpit $(MAILPIT_BIN))

mailpit: $(LOCALRUN) $(MAILPIT_BIN) ## Mailpit alone on :1025 (STARTTLS, AUTH) and http://127.0.0.1:8025, for sam local invoke --env-vars events/sam-local/env.json
	$(LOCALRUN) mailpit -mailpit $(MAILPIT_BIN)

node-deps: ## npm ci for dynalite (the local DynamoDB); skipped with one line without npm
	@if command -v npm >/dev/null 2>&1; then \
		cd dev/dynalite && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }; \
	else \
		echo "npm not found: DynamoDB (dynalite) tests skip and make run/serve run without the message store"; \
	fi

mta-deps: ## install Postfix and Dovecot from Debian's packages for the real-MTA tests and bench (root and apt-get); skipped with one line otherwise
	@dev/postfix/postfix.sh install || echo "Postfix tests skip (under CI=true they fail) and make bench measures the development server only"

browser-deps: ## Debian's chromium for the browser tests (apt-get as root); skipped with one line otherwise
	@dev/browser/install-chromium

deploy: ## sam build && sam deploy (needs the AWS SAM CLI and an AWS account)
	sam build && sam deploy

fuzz: ## run each fuzz target for FUZZTIME
	$(GO) test . -run '^$$' -fuzz '^FuzzDecodeValidate$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x
	$(GO) test . -run '^$$' -fuzz '^FuzzParseAddressList$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x
	$(GO) test ./internal/gomailmime -run '^$$' -fuzz '^FuzzBuild$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x
	$(GO) test ./internal/enmimedsn -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x
	$(GO) test . -run '^$$' -fuzz '^FuzzShapeWalksAgree$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x
	$(GO) test ./internal/jsonscan -run '^$$' -fuzz '^FuzzSkip$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x
	$(GO) test ./internal/lambdahandler -run '^$$' -fuzz '^FuzzDetectAgrees$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x

chaos: node-deps ## the seeded fault campaign at length: make chaos SEED=… N=100 DURATION=30m (FAULT_RATE=0.1 KILL_RATE=0.15)
	CHAOS_SEED=$(SEED) CHAOS_N=$(N) CHAOS_DURATION=$(DURATION) CHAOS_FAULT_RATE=$(FAULT_RATE) CHAOS_KILL_RATE=$(KILL_RATE) \
		$(GO) test -count=1 -v -timeout 0 -run '^TestChaosCampaign$$' ./functions/gmailsend/

bench: mta-deps ## side-by-side benchmark against nodemailer and smtplib, on the development server and Postfix, with the cost of 1,000 sends (writes dev/bench/results.md and .svg)
	cd dev/bench && npm ci --no-audit --no-fund
	$(GO) run ./dev/bench -rtt $(BENCH_RTT) $(if $(BENCH_BEFORE),-before $(BENCH_BEFORE)) -out dev/bench/results.md
	$(GO) test ./internal/gomailmime -run '^$$' -bench . -benchmem | tee dev/bench/go-bench.txt

clean: ## remove build output and local run state
	rm -rf bin .aws-sam .local dev/bench/out

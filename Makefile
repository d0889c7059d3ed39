# gmailsend — `make help` lists the targets.
GO          ?= go
EVENT       ?= events/apigateway-rest.json
FUZZTIME    ?= 30s
BENCH_RTT   ?= 10ms
# BENCH_BEFORE=<git revision> also runs that revision's bootstrap: before/after in one run.
BENCH_BEFORE ?=
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
LAMBDA_FLAGS = -tags lambda.norpc -trimpath -ldflags='-s -w -buildid='

.PHONY: help build test lint run serve deploy clean fuzz bench node-deps browser-deps

help: ## list the targets
	@grep -E '^[a-zA-Z_%-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort | awk -F'\t' '{printf "  %-26s %s\n", $$1, $$2}'

build: ## build the Lambda binary bin/bootstrap (linux/arm64)
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o bin/bootstrap ./functions/gmailsend

build-GmailSendFunction: ## sam build target: writes $(ARTIFACTS_DIR)/bootstrap
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/gmailsend

build-BounceFunction: ## sam build target of the bounce reader: writes $(ARTIFACTS_DIR)/bootstrap
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/bounces

test: lint node-deps browser-deps ## lint, then every test with the race detector, counts and skip reasons (CI runs this)
	$(GO) run ./internal/dev/testsummary -race -count=1 ./...
	$(GO) test -run '^$$' -bench . -benchtime 1x ./internal/message

lint: ## go vet and staticcheck
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

run: node-deps ## run the real bootstrap on an event against a local SMTP server (EVENT=events/…)
	$(GO) run ./cmd/localrun run -event $(EVENT)

serve: node-deps ## local HTTP endpoint on :3000 (every API route, with a local queue and scheduler), like sam local start-api
	$(GO) run ./cmd/localrun serve

node-deps: ## npm ci for dynalite (the local DynamoDB); skipped with one line without npm
	@if command -v npm >/dev/null 2>&1; then \
		cd internal/dev/dynalite && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }; \
	else \
		echo "npm not found: DynamoDB (dynalite) tests skip and make run/serve run without the message store"; \
	fi

browser-deps: ## Debian's chromium for the browser tests (apt-get as root); skipped with one line otherwise
	@internal/dev/browser/install-chromium

deploy: ## sam build && sam deploy (needs the AWS SAM CLI and an AWS account)
	sam build && sam deploy

fuzz: ## run each fuzz target for FUZZTIME
	$(GO) test ./internal/email -run '^$$' -fuzz '^FuzzDecodeValidate$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x
	$(GO) test ./internal/email -run '^$$' -fuzz '^FuzzParseAddressList$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x
	$(GO) test ./internal/message -run '^$$' -fuzz '^FuzzBuild$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x
	$(GO) test ./internal/enmimedsn -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x
	$(GO) test ./internal/email -run '^$$' -fuzz '^FuzzShapeWalksAgree$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x
	$(GO) test ./internal/jsonscan -run '^$$' -fuzz '^FuzzSkip$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x
	$(GO) test ./internal/lambdahandler -run '^$$' -fuzz '^FuzzDetectAgrees$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x

bench: ## side-by-side benchmark against nodemailer and smtplib (writes bench/results.md and .svg)
	cd bench && npm ci --no-audit --no-fund
	$(GO) run ./bench -rtt $(BENCH_RTT) $(if $(BENCH_BEFORE),-before $(BENCH_BEFORE)) -out bench/results.md
	$(GO) test ./internal/message -run '^$$' -bench . -benchmem | tee bench/go-bench.txt

clean: ## remove build output and local run state
	rm -rf bin .aws-sam .local bench/out

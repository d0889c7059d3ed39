// Command gmailsend is the Lambda function (the "bootstrap" binary of the
// provided.al2023 runtime). It only wires: configuration from the
// environment, the assembled app, and the Lambda runtime loop.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gmailsend/gmailsend/internal/app"
)

func main() {
	cfg, err := app.ParseEnv(os.LookupEnv)
	if err != nil {
		slog.Error("invalid configuration", "error", err.Error())
		os.Exit(1)
	}
	a, err := app.Build(cfg, app.Parts{Log: os.Stdout})
	if err != nil {
		slog.Error("startup failed", "error", err.Error())
		os.Exit(1)
	}
	a.OneProcAfterStart() // docs/performance.md
	// SIGTERM says QUIT to the kept SMTP sessions and exits (app/shutdown.go).
	lambda.StartWithOptions(a.LambdaHandler(), a.HandleShutdown()...)
}

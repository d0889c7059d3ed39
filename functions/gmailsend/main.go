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
	a.OneProcAfterStart() // README "Performance"
	// On SIGTERM (the execution environment shutting down) say QUIT to
	// the kept SMTP sessions rather than leaving them to time out, then
	// exit: nothing else will run, and Lambda would SIGKILL us anyway.
	lambda.StartWithOptions(a.LambdaHandler(), lambda.WithEnableSIGTERM(func() {
		a.Close()
		os.Exit(0)
	}))
}

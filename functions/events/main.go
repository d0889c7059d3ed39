// Command events is the events function (the "bootstrap" binary of
// EventsFunction). It only wires: configuration from the environment, the
// assembled function, and the Lambda runtime loop.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/eventsapp"
)

func main() {
	cfg, err := app.ParseEnv(os.LookupEnv)
	if err != nil {
		slog.Error("invalid configuration", "error", err.Error())
		os.Exit(1)
	}
	e, err := eventsapp.Build(cfg, eventsapp.Parts{App: app.Parts{Log: os.Stdout}})
	if err != nil {
		slog.Error("startup failed", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(e.Invoke)
}

// Command bounces is the scheduled bounce reader (the "bootstrap" binary of
// BounceFunction). It only wires: configuration from the environment, the
// assembled reader, and the Lambda runtime loop.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/bounceapp"
)

func main() {
	cfg, err := app.ParseEnv(os.LookupEnv)
	if err != nil {
		slog.Error("invalid configuration", "error", err.Error())
		os.Exit(1)
	}
	b, err := bounceapp.Build(cfg, app.Parts{Log: os.Stdout})
	if err != nil {
		slog.Error("startup failed", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(b.Invoke)
}

// Command gmailsend sets up and tries a gmailsend deployment from your own
// machine: store and verify Gmail credentials in Secrets Manager, obtain an
// OAuth refresh token, send a message through a deployed endpoint.
//
//	go install github.com/gmailsend/gmailsend/cmd/gmailsend@latest
//	gmailsend help
//
// The subcommands live in internal/setupcli; this file only wires.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/gmailsend/gmailsend/internal/setupcli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := setupcli.Run(ctx, os.Args[1:], setupcli.FromProcess())
	stop()
	os.Exit(code)
}

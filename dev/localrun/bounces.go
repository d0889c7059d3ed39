package main

import (
	"context"
	"io"
	"path/filepath"
	"time"

	"github.com/gmailsend/gmailsend/dev/devstack"
)

// runBounceDemo answers the bounce reader's scheduled event
// (events/scheduled-bounces.json): that event is not for the send
// function, so the whole loop runs instead — a send to the bounce domain,
// the notification in the local IMAP INBOX, the bounce reader's run, the
// record turned bounced, the next send refused (devstack/bounces.go).
func runBounceDemo(ctx context.Context, dir, name string, payload []byte, timeout time.Duration, out io.Writer) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	return devstack.RunBounceDemo(ctx, root, abs, name, payload, timeout, out)
}

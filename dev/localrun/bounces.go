package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
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

// bounceReadEvery is how often `make serve` runs the bounce reader: the
// template's schedule is minutes apart, but locally the loop should close
// while you watch.
const bounceReadEvery = 2 * time.Second

// startBounceReader builds and starts the bounce reader over inbox, with
// the send function's table (through the stream, so its changes become
// events), and runs it every bounceReadEvery until ctx ends. Its log is
// kept out of the terminal (a run every two seconds); what it recorded is
// said in one line. It returns nil, having said why, when it cannot run.
func startBounceReader(ctx context.Context, l *local, inbox *devstack.BounceInbox, dir string, timeout time.Duration, out io.Writer) *runtimeapi.Function {
	reader, err := buildBounceReader(ctx, l, inbox, dir)
	if err != nil {
		fmt.Fprintf(out, "bounce reader off: %v\n", err)
		return nil
	}
	fmt.Fprintf(out, "bounce reader: every %v over the local INBOXes (IMAP 127.0.0.1:%d); mail to anyone@%s bounces\n",
		bounceReadEvery, inbox.IMAP.Port, devsmtp.BounceDomain)
	go func() {
		tick := time.NewTicker(bounceReadEvery)
		defer tick.Stop()
		failed := false
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			n, err := devstack.ReadBounces(ctx, reader, timeout)
			switch {
			case err != nil && ctx.Err() == nil && !failed:
				failed = true // said once, not every two seconds
				fmt.Fprintf(out, "── bounce reader: %v\n", err)
			case err == nil && n > 0:
				fmt.Fprintf(out, "── bounce reader: recorded %d bounce(s): the record(s) are now bounced (message.bounced is on its way)\n", n)
			}
		}
	}()
	return reader
}

// buildBounceReader builds the bounce reader and starts it under the local
// Runtime API, with the send function's environment and inbox's on top.
func buildBounceReader(ctx context.Context, l *local, inbox *devstack.BounceInbox, dir string) (*runtimeapi.Function, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	readerEnv, err := inbox.ReaderEnv(l.stack, dir)
	if err != nil {
		return nil, err
	}
	bin, err := devstack.BuildBounceReader(root, dir, io.Discard)
	if err != nil {
		return nil, err
	}
	return runtimeapi.StartFunction(ctx, bin, append(append([]string(nil), l.env...), readerEnv...), io.Discard, io.Discard)
}

// startWebhookLoop starts serve's webhook receiver (o.receiver) and,
// with the table and the bounce inbox, the bounce reader: register a
// webhook on the receiver, send to nobody@bounce.test, and message.sent
// then message.bounced arrive there, signed.
func (l *local) startWebhookLoop(ctx context.Context, o options, inbox *devstack.BounceInbox, timeout time.Duration, out io.Writer) error {
	if o.receiver != "" && l.events != nil {
		r, err := startReceiver(o.receiver, out) // receiver.go
		if err != nil {
			return err
		}
		l.receiver = r
	}
	if inbox != nil && l.events != nil {
		abs, err := filepath.Abs(o.dir) // the reader is built from the module root
		if err != nil {
			return err
		}
		l.bounceReader = startBounceReader(ctx, l, inbox, abs, timeout, out)
	}
	return nil
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/dynalite"
)

// offerQueuedRoutes is set by `make serve`: it also runs the message
// table, the send queue and the scheduler, so POST /messages, batches,
// scheduled sends and cancels work; `make run` does without them.
var offerQueuedRoutes bool

// startQueueing starts the local table, queue and scheduler, or says on
// out why not (node or dynalite missing) and returns nil: the queued
// routes then answer store_not_configured.
func startQueueing(ctx context.Context, out io.Writer) *devstack.Queueing {
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintf(out, "queued sends off: %v\n", err)
		return nil
	}
	q, err := devstack.StartQueueing(ctx, root, nil)
	if errors.Is(err, dynalite.ErrUnavailable) {
		fmt.Fprintf(out, "queued sends off: %v (run: npm ci --prefix dev/dynalite)\n", err)
		return nil
	}
	if err != nil {
		fmt.Fprintf(out, "queued sends off: %v\n", err)
		return nil
	}
	fmt.Fprintf(out, "queue: local SQS %s, Scheduler %s, DynamoDB table %q (dynalite)\n", q.SQS.URL, q.Scheduler.URL, devstack.LocalTable)
	return q
}

// consumeQueue plays the send queue's event source mapping: each batch
// goes to the function, and report gets a line per batch and a summary
// of what it delivered.
func (l *local) consumeQueue(ctx context.Context, timeout time.Duration, report io.Writer) {
	l.queue.Consume(ctx, func(ctx context.Context, payload []byte) (json.RawMessage, error) {
		before := len(l.stack.SMTP.Messages())
		seen := l.mailpitSeen(ctx)
		res, err := l.fn.Invoke(ctx, payload, timeout)
		if err != nil {
			return nil, err
		}
		if res.Err != nil {
			fmt.Fprintf(report, "── queue batch → function error %s\n", res.Err.Type)
			return nil, errors.New(res.Err.Message)
		}
		var ev events.SQSEvent
		_ = json.Unmarshal(payload, &ev)
		var resp events.SQSEventResponse
		_ = json.Unmarshal(res.Payload, &resp)
		fmt.Fprintf(report, "── queue batch of %d → %d to retry in %v\n", len(ev.Records), len(resp.BatchItemFailures), res.Duration.Round(time.Millisecond))
		for _, m := range l.stack.SMTP.Messages()[before:] {
			if s, err := devstack.Summarize(m); err == nil {
				fmt.Fprintf(report, "delivered:\n%s", s)
			}
		}
		if l.stack.Mailpit != nil {
			fmt.Fprint(report, l.mailpitReport(ctx, seen, "delivered %d message(s) to Mailpit:\n"))
		}
		return res.Payload, nil
	})
}

// moduleRoot is the directory holding go.mod at or above the working
// directory (make runs at the root; go test in dev/localrun).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("localrun: no go.mod above the working directory")
		}
		dir = parent
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/dynalite"
)

// startMessageStore gives `make run` the message table on dynalite when
// node is present, or says on out why it runs without (Go-only machines).
func startMessageStore(ctx context.Context, out io.Writer) *devstack.MessageStore {
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintf(out, "message store off: %v\n", err)
		return nil
	}
	ms, err := devstack.StartMessageStore(ctx, root)
	if errors.Is(err, dynalite.ErrUnavailable) {
		fmt.Fprintf(out, "message store off (no MESSAGES_TABLE): %v\n", err)
		return nil
	}
	if err != nil {
		fmt.Fprintf(out, "message store off: %v\n", err)
		return nil
	}
	fmt.Fprintf(out, "message store: DynamoDB table %q on dynalite %s (records, idempotency, quota guard)\n", devstack.LocalTable, ms.Endpoint())
	if err := ms.StoreSampleTemplate(ctx, root); err != nil {
		fmt.Fprintf(out, "template %q not stored: %v\n", devstack.SampleTemplate, err)
	} else {
		fmt.Fprintf(out, "template: %q (docs/%s.json) stored for sources without an API key (events/template-batch.json uses it)\n", devstack.SampleTemplate, devstack.SampleTemplate)
	}
	return ms
}

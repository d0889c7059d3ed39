package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/gmailsend/gmailsend/dev/devsqs"
	"github.com/gmailsend/gmailsend/dev/devstack"
)

// tableEndpoint is the local table's dynalite, "" when there is none.
func tableEndpoint(q *devstack.Queueing, ms *devstack.MessageStore) string {
	switch {
	case q != nil:
		return q.Endpoint()
	case ms != nil:
		return ms.Endpoint()
	}
	return ""
}

// startEvents starts the status events pipeline over the table at
// endpoint, or says on out why not and returns nil: sends then work
// without events, as a deployment without EventsFunction would.
func startEvents(ctx context.Context, dir, endpoint string, queues *devsqs.Server, baseEnv []string, out io.Writer) (*devstack.Events, *syncBuffer) {
	if endpoint == "" {
		return nil, nil
	}
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintf(out, "status events off: %v\n", err)
		return nil, nil
	}
	logs := new(syncBuffer)
	ev, err := devstack.StartEvents(ctx, root, dir, endpoint, queues, baseEnv, logs)
	if err != nil {
		fmt.Fprintf(out, "status events off: %v\n", err)
		return nil, nil
	}
	fmt.Fprintf(out, "status events: the table's stream → the events function → bus %q on %s, webhook queue %s\n",
		devstack.LocalBus, ev.Bus.URL, ev.SQS.QueueURL(devstack.LocalWebhookQueue))
	return ev, logs
}

// eventsReport publishes what the invocation changed (the stream is
// drained through the events function) and lists the events, after
// skip already reported.
func (l *local) eventsReport(ctx context.Context, skip int) string {
	if l.events == nil {
		return ""
	}
	if err := l.events.Drain(ctx); err != nil {
		return fmt.Sprintf("\n== status events: not drained: %v\n", err)
	}
	evs := l.events.Published()[skip:]
	out := fmt.Sprintf("\n== %d status event(s) on the bus (EventBridge: source gmailsend)\n", len(evs))
	for _, raw := range evs {
		var e struct {
			ID   string `json:"id"`
			Type string `json:"type"`
			Data struct {
				MessageID, Status, Code, RecipientHash string
			} `json:"data"`
		}
		_ = json.Unmarshal(raw, &e)
		out += fmt.Sprintf("  %-20s %s  message %s", e.Type, e.ID, e.Data.MessageID)
		if e.Data.Code != "" {
			out += "  code " + e.Data.Code
		}
		out += "\n"
	}
	return out
}

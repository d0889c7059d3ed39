package eventsapp

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/statusevents"
)

// handleStream publishes a stream batch's events. A record it could not
// finish is reported as a batch item failure: the event source mapping
// delivers the batch again from it (and, after its retries, sends the
// batch's description to the on-failure queue).
func (e *Events) handleStream(ctx context.Context, ev events.DynamoDBEvent) events.DynamoDBEventResponse {
	changes := make([]statusevents.Change, len(ev.Records))
	for i, r := range ev.Records {
		changes[i] = changeOf(r)
	}
	rep, err := e.fanout.Handle(ctx, changes)
	e.recordBatch(ctx, rep) // metrics.go
	if rep.RetryFrom == "" {
		return events.DynamoDBEventResponse{}
	}
	// The error names counts, codes and sequence numbers: no event's data.
	e.log.LogAttrs(ctx, slog.LevelWarn, "events not published", slog.String("retryFrom", rep.RetryFrom),
		slog.Int("records", len(ev.Records)), slog.String("error", err.Error()))
	return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: rep.RetryFrom}}}
}

func changeOf(r events.DynamoDBEventRecord) statusevents.Change {
	c, err := dynamostore.ReadStreamRecord(r)
	return statusevents.Change{Seq: r.Change.SequenceNumber, Old: c.Old, New: c.New, Suppression: c.Suppression, Err: err}
}

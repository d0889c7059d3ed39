package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/gmailsend/gmailsend/dev/devscheduler"
	"github.com/gmailsend/gmailsend/dev/devsqs"
	"github.com/gmailsend/gmailsend/dev/dynalite"
)

// Queueing is what queued and scheduled sends (POST /messages) need
// locally: the message table on dynalite (created from template.yaml), the
// send queue with its dead-letter queue on devsqs, and the schedule group
// on devscheduler. The function reaches them with the real SDK clients
// through AWS_ENDPOINT_URL_DYNAMODB, _SQS and _SCHEDULER.
type Queueing struct {
	SQS       *devsqs.Server
	Scheduler *devscheduler.Server
	dynamo    *dynalite.Server
}

// The names the local stack gives its queue, table and group.
const (
	LocalTable = "messages"
	LocalQueue = "send"
	LocalGroup = "gmailsend-sends"
)

// StartQueueing starts the three; root is the module root (dynalite's
// node_modules and template.yaml). dynalite.ErrUnavailable means node or
// dynalite is missing: the caller goes on without queued sends.
func StartQueueing(ctx context.Context, root string, log io.Writer) (*Queueing, error) {
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	d, err := dynalite.StartServer(sctx, dynalite.Dir(root), log)
	if err != nil {
		return nil, err
	}
	if err := dynalite.CreateTable(sctx, dynalite.NewClient(d.Endpoint), dynalite.TemplatePath(root), LocalTable); err != nil {
		d.Close()
		return nil, fmt.Errorf("devstack: creating the local table: %w", err)
	}
	q := &Queueing{SQS: devsqs.Start(), dynamo: d}
	q.SQS.CreateQueue("dead-letter", devsqs.QueueOptions{})
	// The template's settings: 180 s visibility, 5 receives, 256 KiB.
	q.SQS.CreateQueue(LocalQueue, devsqs.QueueOptions{VisibilityTimeout: 180 * time.Second, MaxMessageBytes: 256 << 10,
		DeadLetterQueue: "dead-letter", MaxReceiveCount: 5})
	q.Scheduler = devscheduler.Start(q.SQS)
	return q, nil
}

// Env points the function at the three.
func (q *Queueing) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_DYNAMODB=" + q.dynamo.Endpoint,
		"AWS_ENDPOINT_URL_SQS=" + q.SQS.URL,
		"AWS_ENDPOINT_URL_SCHEDULER=" + q.Scheduler.URL,
		"MESSAGES_TABLE=" + LocalTable,
		"SEND_QUEUE_URL=" + q.SQS.QueueURL(LocalQueue),
		"SEND_QUEUE_ARN=" + devsqs.QueueARN(LocalQueue),
		"SCHEDULE_GROUP=" + LocalGroup,
		"SCHEDULER_ROLE_ARN=arn:aws:iam::" + devsqs.Account + ":role/gmailsend-scheduler",
	}
}

// Endpoint is the table's dynalite URL.
func (q *Queueing) Endpoint() string { return q.dynamo.Endpoint }

// Invoke runs the function on an event payload and returns its response
// payload (a function error is err).
type Invoke func(ctx context.Context, payload []byte) (json.RawMessage, error)

// Consume feeds the send queue to the function as the template's event
// source mapping does (batches of 10, a 1-second batching window, partial
// batch failures) until ctx ends.
func (q *Queueing) Consume(ctx context.Context, invoke Invoke) {
	q.SQS.Run(ctx, devsqs.Mapping{Queue: LocalQueue, BatchSize: 10, BatchingWindow: time.Second, ReportBatchItemFailures: true},
		func(ctx context.Context, payload []byte) ([]byte, error) { return invoke(ctx, payload) })
}

// Close stops the three.
func (q *Queueing) Close() {
	q.Scheduler.Close()
	q.SQS.Close()
	q.dynamo.Close()
}

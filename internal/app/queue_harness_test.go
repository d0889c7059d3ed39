// Helpers of the tests of queued, batch and scheduled sends: the local SQS
// and Scheduler endpoints wired as the function's send queue and schedule
// group, and the queue's event source mapping invoking the same function.
package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gmailsend/gmailsend/dev/devscheduler"
	"github.com/gmailsend/gmailsend/dev/devsqs"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

const schedulerRole = "arn:aws:iam::000000000000:role/gmailsend-scheduler"

// queueStandins are the local SQS and Scheduler endpoints of a test.
type queueStandins struct {
	sqs   *devsqs.Server
	sched *devscheduler.Server
}

// withQueue starts both endpoints (send queue with a dead-letter queue
// after 5 receives, as the template has it, and the webhook queue) and points the function's
// configuration and real SDK clients at them.
func withQueue(t *testing.T, cfg *app.Config, parts *app.Parts) *queueStandins {
	t.Helper()
	q := &queueStandins{sqs: devsqs.Start()}
	t.Cleanup(q.sqs.Close)
	q.sqs.CreateQueue("dlq", devsqs.QueueOptions{})
	cfg.SendQueueURL = q.sqs.CreateQueue("send", devsqs.QueueOptions{
		VisibilityTimeout: 2 * time.Second, DeadLetterQueue: "dlq", MaxReceiveCount: 5, MaxMessageBytes: cfg.MaxQueuedMessageBytes,
	})
	q.sched = devscheduler.Start(q.sqs)
	t.Cleanup(q.sched.Close)
	cfg.SendQueueARN, cfg.ScheduleGroup, cfg.SchedulerRoleARN = devsqs.QueueARN("send"), "gmailsend", schedulerRole
	cfg.DeadLetterQueueURL = q.sqs.QueueURL("dlq") // as the template sets it
	q.sqs.CreateQueue("webhooks-dlq", devsqs.QueueOptions{})
	cfg.WebhookQueueURL = q.sqs.CreateQueue("webhooks", devsqs.QueueOptions{DeadLetterQueue: "webhooks-dlq", MaxReceiveCount: webhooks.MaxReceives})
	parts.SQS, parts.Scheduler, parts.SQSVisibility = q.sqs.Client(), q.sched.Client(), q.sqs.Client()
	return q
}

// mapping is the template's event source mapping of the send queue.
var mapping = devsqs.Mapping{Queue: "send", BatchSize: 10, ReportBatchItemFailures: true}

// invoker runs the harness's function as the event source mapping does.
func (h *harness) invoker(t *testing.T) devsqs.Invoker {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		out, err := h.app.Handler.Invoke(invokeCtx(t), payload)
		if err != nil {
			return nil, err
		}
		return json.Marshal(out)
	}
}

// drain feeds the send queue to the function until it is empty and
// returns how many invocations that took.
func (h *harness) drain(t *testing.T) int {
	t.Helper()
	invocations := 0
	deadline := time.Now().Add(20 * time.Second)
	for len(h.queue.sqs.Messages("send")) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("queue not drained: %d left", len(h.queue.sqs.Messages("send")))
		}
		n, err := h.queue.sqs.Poll(context.Background(), mapping, h.invoker(t), 100*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			invocations++
		}
	}
	return invocations
}

// consume runs the event source mapping in the background until the test ends.
func (h *harness) consume(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.queue.sqs.Run(ctx, mapping, h.invoker(t)) }()
	t.Cleanup(func() { cancel(); <-done })
}

// storeDesk stores the credentials "desk" (fixture.User) and "desk2"
// (fixture.User2): queued sends need stored credentials.
func (h *harness) storeDesk() {
	h.secrets.Put("gmailsend/desk", fmt.Sprintf(`{"user":%q,"password":%q}`, fixture.User, fixture.Password))
	h.secrets.Put("gmailsend/desk2", fmt.Sprintf(`{"user":%q,"password":%q}`, fixture.User2, fixture.Password2))
}

// queuedRequest is a request with a stored credential and extra fields.
func queuedRequest(cred, to, subject string, extra map[string]any) string {
	m := map[string]any{"credential": cred, "toEmail": to, "subject": subject, "message": "<p>" + bodyMarker + "</p>"}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// decodeJSON decodes a response body into v.
func decodeJSON(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
}

// recordStatus reads a message's status through GET /messages/{id}.
func (h *harness) recordStatus(t *testing.T, id string) (status string, scheduledAt string) {
	t.Helper()
	resp := h.callAPI(t, "GET", "/messages/"+id, "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /messages/%s → %d %s", id, resp.StatusCode, resp.Body)
	}
	var rec struct{ Status, ScheduledAt string }
	decodeJSON(t, resp.Body, &rec)
	return rec.Status, rec.ScheduledAt
}

// countItems is how many items the message table holds.
func countItems(t *testing.T, client *dynamodb.Client) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("messages")})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return len(out.Items)
}

package devsqs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// respond builds an Invoker that records each event and fails the records
// whose bodies fail() picks.
func respond(t *testing.T, seen *[]events.SQSEvent, fail func(body string) bool) Invoker {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev events.SQSEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			t.Errorf("event does not decode: %v", err)
		}
		*seen = append(*seen, ev)
		resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
		for _, r := range ev.Records {
			if fail(r.Body) {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
			}
		}
		return json.Marshal(resp)
	}
}

// The mapping feeds records in batches of BatchSize, shaped like Lambda's
// SQS events, and deletes the delivered ones.
func TestMappingBatchesAndDeletes(t *testing.T) {
	s, _, _ := start(t, QueueOptions{})
	s.mu.Lock()
	for i := range 25 {
		s.send(s.queues["send"], fmt.Sprintf("m%d", i), 0)
	}
	s.mu.Unlock()
	var seen []events.SQSEvent
	m := Mapping{Queue: "send", BatchSize: 10, ReportBatchItemFailures: true}
	for range 3 {
		if _, err := s.Poll(ctxT(t), m, respond(t, &seen, func(string) bool { return false }), 0); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 3 || len(seen[0].Records) != 10 || len(seen[2].Records) != 5 {
		t.Fatalf("batches %d", len(seen))
	}
	r := seen[0].Records[0]
	if r.EventSource != "aws:sqs" || r.EventSourceARN != QueueARN("send") || r.Body != "m0" || r.Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("record %+v", r)
	}
	if n := len(s.Messages("send")); n != 0 {
		t.Fatalf("%d messages left after successful batches", n)
	}
}

// A record in batchItemFailures comes back after the visibility timeout
// and, after maxReceiveCount receives, moves to the dead-letter queue.
func TestMappingRetriesThenRedrives(t *testing.T) {
	s := Start()
	t.Cleanup(s.Close)
	s.CreateQueue("dlq", QueueOptions{})
	s.CreateQueue("send", QueueOptions{VisibilityTimeout: 50 * time.Millisecond, DeadLetterQueue: "dlq", MaxReceiveCount: 3})
	s.mu.Lock()
	s.send(s.queues["send"], "good", 0)
	s.send(s.queues["send"], "bad", 0)
	s.mu.Unlock()
	var seen []events.SQSEvent
	m := Mapping{Queue: "send", ReportBatchItemFailures: true}
	invoke := respond(t, &seen, func(b string) bool { return b == "bad" })
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Messages("dlq")) == 0 && time.Now().Before(deadline) {
		if _, err := s.Poll(ctxT(t), m, invoke, 200*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	dlq := s.Messages("dlq")
	if len(dlq) != 1 || dlq[0].Body != "bad" || dlq[0].ReceiveCount != 3 {
		t.Fatalf("dead-letter queue holds %+v", dlq)
	}
	if len(seen) != 3 {
		t.Fatalf("invoked %d times, want 3 (one per receive of the failing record)", len(seen))
	}
	if n := len(s.Messages("send")); n != 0 {
		t.Fatalf("%d messages left in the source queue", n)
	}
}

// A function error or a failure naming a record outside the batch keeps
// every record of the batch, as Lambda does.
func TestMappingWholeBatchFailures(t *testing.T) {
	for name, invoke := range map[string]Invoker{
		"function error": func(context.Context, []byte) ([]byte, error) { return nil, errors.New("boom") },
		"unknown id": func(context.Context, []byte) ([]byte, error) {
			return []byte(`{"batchItemFailures":[{"itemIdentifier":"not-in-batch"}]}`), nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			s, _, _ := start(t, QueueOptions{})
			s.mu.Lock()
			s.send(s.queues["send"], "a", 0)
			s.send(s.queues["send"], "b", 0)
			s.mu.Unlock()
			if n, err := s.Poll(ctxT(t), Mapping{Queue: "send", ReportBatchItemFailures: true}, invoke, 0); err != nil || n != 2 {
				t.Fatalf("poll = %d, %v", n, err)
			}
			if n := len(s.Messages("send")); n != 2 {
				t.Fatalf("%d messages kept, want 2", n)
			}
		})
	}
}

// Run delivers a message sent while it is waiting, without a poll delay.
func TestRunDeliversNewMessages(t *testing.T) {
	s, c, url := start(t, QueueOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 1)
	go s.Run(ctx, Mapping{Queue: "send"}, func(_ context.Context, p []byte) ([]byte, error) {
		var ev events.SQSEvent
		_ = json.Unmarshal(p, &ev)
		got <- ev.Records[0].Body
		return nil, nil
	})
	body := "hello"
	if _, err := c.SendMessage(ctxT(t), sqsSend(url, body)); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-got:
		if b != body {
			t.Fatalf("delivered %q", b)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("message not delivered")
	}
}

func sqsSend(url, body string) *sqs.SendMessageInput {
	return &sqs.SendMessageInput{QueueUrl: &url, MessageBody: &body}
}

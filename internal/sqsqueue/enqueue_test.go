package sqsqueue

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsqs"
)

func setup(t *testing.T) (*devsqs.Server, *Queue) {
	t.Helper()
	s := devsqs.Start()
	t.Cleanup(s.Close)
	url := s.CreateQueue("send", devsqs.QueueOptions{})
	return s, NewWithAPI(url, s.Client())
}

func messages(n int) []gmailsend.QueueMessage {
	out := make([]gmailsend.QueueMessage, n)
	for i := range out {
		out[i] = gmailsend.QueueMessage{ID: fmt.Sprintf("r%d", i), Body: fmt.Sprintf("b%d", i)}
	}
	return out
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// 25 messages take three SendMessageBatch calls (10, 10, 5) through the
// real SDK client and all arrive on the queue.
func TestEnqueueTenPerCall(t *testing.T) {
	s, q := setup(t)
	if f := q.Enqueue(ctxT(t), messages(25)); len(f) != 0 {
		t.Fatalf("failures: %+v", f)
	}
	if n := s.Calls("SendMessageBatch"); n != 3 {
		t.Fatalf("%d SendMessageBatch calls, want 3", n)
	}
	if n := len(s.Messages("send")); n != 25 {
		t.Fatalf("queue holds %d, want 25", n)
	}
}

// An entry SQS fails once is offered again and queued; nothing is
// reported and nothing is queued twice.
func TestEnqueueRetriesFailedEntries(t *testing.T) {
	s, q := setup(t)
	var mu sync.Mutex
	failed := map[string]bool{}
	s.FailBatchEntries(func(_, body string) bool {
		mu.Lock()
		defer mu.Unlock()
		if (body == "b3" || body == "b12") && !failed[body] {
			failed[body] = true
			return true
		}
		return false
	})
	if f := q.Enqueue(ctxT(t), messages(15)); len(f) != 0 {
		t.Fatalf("failures: %+v", f)
	}
	if n := s.Calls("SendMessageBatch"); n != 3 {
		t.Fatalf("%d calls, want 3 (two chunks and one retry of both failed entries)", n)
	}
	if n := len(s.Messages("send")); n != 15 {
		t.Fatalf("queue holds %d, want 15", n)
	}
}

// An entry that keeps failing is reported by its record id with
// queue_unavailable after Attempts offers; the others are queued.
func TestEnqueueReportsWhatStillFails(t *testing.T) {
	s, q := setup(t)
	q.Attempts = 3
	s.FailBatchEntries(func(_, body string) bool { return body == "b7" })
	f := q.Enqueue(ctxT(t), messages(10))
	if len(f) != 1 || f[0].ID != "r7" || f[0].Err.Code != gmailsend.CodeQueueUnavailable {
		t.Fatalf("failures: %+v", f)
	}
	if n := s.Calls("SendMessageBatch"); n != 3 {
		t.Fatalf("%d calls, want 3", n)
	}
	if n := len(s.Messages("send")); n != 9 {
		t.Fatalf("queue holds %d, want 9", n)
	}
}

// An unreachable endpoint reports every message, bounded by the call
// timeout rather than hanging.
func TestEnqueueUnreachable(t *testing.T) {
	s, q := setup(t)
	s.Close()
	q.CallTimeout = time.Second
	start := time.Now()
	f := q.Enqueue(ctxT(t), messages(3))
	if len(f) != 3 || f[0].Err.Code != gmailsend.CodeQueueUnavailable {
		t.Fatalf("failures: %+v", f)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}

// sizeLimitedAPI refuses a SendMessageBatch call whose bodies add up to
// more than SQS's batch payload limit, as SQS does (BatchRequestTooLong).
type sizeLimitedAPI struct {
	mu    sync.Mutex
	calls int
	sent  int
}

func (a *sizeLimitedAPI) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls++
	total := 0
	for _, e := range in.Entries {
		total += len(aws.ToString(e.MessageBody))
	}
	if total > maxBatchBytes {
		return nil, &types.BatchRequestTooLong{Message: aws.String("batch too long")}
	}
	a.sent += len(in.Entries)
	return &sqs.SendMessageBatchOutput{}, nil
}

// Ten messages of 100 KiB each fit the queue one by one but not ten to a
// call: the calls are split by size too, so every one is queued.
func TestEnqueueSplitsCallsBySize(t *testing.T) {
	api := &sizeLimitedAPI{}
	q := NewWithAPI("https://sqs.example/q", api)
	msgs := messages(10)
	for i := range msgs {
		msgs[i].Body = strings.Repeat("x", 100<<10)
	}
	if f := q.Enqueue(ctxT(t), msgs); len(f) != 0 {
		t.Fatalf("%d failures, first: %v", len(f), f[0].Err)
	}
	if api.sent != 10 {
		t.Fatalf("%d queued, want 10", api.sent)
	}
}

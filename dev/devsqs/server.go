// Package devsqs is a local Amazon SQS endpoint speaking the JSON 1.0 wire
// protocol current AWS SDKs use (POST, X-Amz-Target: AmazonSQS.SendMessage,
// application/x-amz-json-1.0, "__type" errors), so the real SDK client can
// be pointed at it with AWS_ENDPOINT_URL_SQS or BaseEndpoint. It also plays
// the Lambda event source mapping (Mapping): it feeds a handler SQS events
// in batches, deletes what the handler reports delivered, and moves a
// message to the dead-letter queue after maxReceiveCount receives.
//
// It is development tooling for tests, benchmarks and `make serve`: no
// FIFO queues, message attributes, permissions or persistence.
package devsqs

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Account and Region are what queue URLs and ARNs are made of.
const (
	Account = "000000000000"
	Region  = "us-east-1"
)

// EntryFailure decides whether one SendMessageBatch entry fails, for tests
// of partial batch failures; it sees the entry's id and body.
type EntryFailure func(entryID, body string) bool

// Server is a running endpoint.
type Server struct {
	URL string

	srv       *httptest.Server
	mu        sync.Mutex
	queues    map[string]*queue
	calls     map[string]int
	failEntry EntryFailure
	changed   chan struct{} // closed and replaced when a queue changes
}

// Start serves on a loopback port until Close.
func Start() *Server {
	s := &Server{queues: map[string]*queue{}, calls: map[string]int{}, changed: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the endpoint.
func (s *Server) Close() { s.srv.Close() }

// Client is the real AWS SDK client pointed at this endpoint, with static
// test credentials and no retries (tests count calls).
func (s *Server) Client() *sqs.Client {
	return sqs.New(sqs.Options{
		Region:           Region,
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "test-secret-key", ""),
		BaseEndpoint:     aws.String(s.URL),
		RetryMaxAttempts: 1,
	})
}

// CreateQueue creates (or reconfigures) a queue and returns its URL.
func (s *Server) CreateQueue(name string, opts QueueOptions) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.queues[name]; ok {
		q.opts = opts
	} else {
		s.queues[name] = &queue{name: name, opts: opts}
	}
	return s.QueueURL(name)
}

// QueueURL is the URL of the named queue.
func (s *Server) QueueURL(name string) string { return s.URL + "/" + Account + "/" + name }

// QueueARN is the ARN of the named queue.
func QueueARN(name string) string { return "arn:aws:sqs:" + Region + ":" + Account + ":" + name }

// FailBatchEntries makes SendMessageBatch fail the entries f picks (nil
// clears), as SQS does for an entry it could not store.
func (s *Server) FailBatchEntries(f EntryFailure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failEntry = f
}

// Calls reports how many requests of an action (e.g. "SendMessageBatch")
// the endpoint answered.
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action]
}

// Messages returns a copy of the messages in a queue, visible or not.
func (s *Server) Messages(name string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[name]
	if q == nil {
		return nil
	}
	out := make([]Message, len(q.messages))
	for i, m := range q.messages {
		out[i] = *m
	}
	return out
}

// send stores a message; the caller holds the mutex.
func (s *Server) send(q *queue, body string, delay time.Duration) *Message {
	now := time.Now()
	m := &Message{ID: randomID(), Body: body, SentAt: now, visibleAt: now.Add(delay)}
	q.messages = append(q.messages, m)
	s.notify()
	return m
}

// notify wakes long polls; the caller holds the mutex.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// receive takes up to max visible messages and hides them for visibility,
// first moving to the dead-letter queue any that were received
// maxReceiveCount times already. The caller holds the mutex.
func (s *Server) receive(q *queue, max int, visibility time.Duration) []*Message {
	now := time.Now()
	var out []*Message
	kept := q.messages[:0]
	for _, m := range q.messages {
		if m.visibleAt.After(now) || len(out) >= max {
			kept = append(kept, m)
			continue
		}
		if dlq := s.queues[q.opts.DeadLetterQueue]; dlq != nil && q.opts.MaxReceiveCount > 0 && m.ReceiveCount >= q.opts.MaxReceiveCount {
			m.receiptHandle, m.visibleAt = "", now
			dlq.messages = append(dlq.messages, m)
			continue
		}
		m.ReceiveCount++
		if m.FirstReceived.IsZero() {
			m.FirstReceived = now
		}
		m.receiptHandle = randomID()
		m.visibleAt = now.Add(visibility)
		out = append(out, m)
		kept = append(kept, m)
	}
	q.messages = kept
	return out
}

// receiveWait is receive with a long poll: it waits up to wait for a
// message to arrive or become visible.
func (s *Server) receiveWait(ctx context.Context, name string, max int, visibility, wait time.Duration) ([]Message, error) {
	deadline := time.Now().Add(wait)
	for {
		s.mu.Lock()
		q := s.queues[name]
		if q == nil {
			s.mu.Unlock()
			return nil, fmt.Errorf("devsqs: no queue %q", name)
		}
		if visibility <= 0 {
			visibility = q.visibility()
		}
		got := s.receive(q, max, visibility)
		changed, next := s.changed, q.nextVisible(time.Now())
		out := make([]Message, len(got))
		for i, m := range got {
			out[i] = *m
		}
		s.mu.Unlock()
		left := time.Until(deadline)
		if len(out) > 0 || left <= 0 {
			return out, nil
		}
		if !next.IsZero() && time.Until(next) < left {
			left = time.Until(next) + time.Millisecond
		}
		t := time.NewTimer(left)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-changed:
		case <-t.C:
		}
		t.Stop()
	}
}

// ReceiptHandle is the handle of the message's latest receive.
func (m Message) ReceiptHandle() string { return m.receiptHandle }

func queueName(url string) string {
	return url[strings.LastIndex(url, "/")+1:]
}

// DeliverToARN puts body on the queue the ARN names, as a service that
// targets the queue (EventBridge Scheduler) does.
func (s *Server) DeliverToARN(arn, body string) error {
	name := arn[strings.LastIndex(arn, ":")+1:]
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[name]
	if q == nil || QueueARN(name) != arn {
		return fmt.Errorf("devsqs: no queue with ARN %s", arn)
	}
	if err := checkBody(q, body); err != nil {
		return err
	}
	s.send(q, body, 0)
	return nil
}

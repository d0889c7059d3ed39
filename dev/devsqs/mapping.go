package devsqs

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Invoker runs the function on an event and returns its response, as a
// Lambda Invoke does (a function error is err).
type Invoker func(ctx context.Context, payload []byte) ([]byte, error)

// Mapping is an event source mapping from a queue to a function, with the
// settings the template gives it.
type Mapping struct {
	Queue string
	// BatchSize is the most records in one event (10 if zero).
	BatchSize int
	// BatchingWindow waits this long for a fuller batch once a message is
	// there (MaximumBatchingWindowInSeconds).
	BatchingWindow time.Duration
	// ReportBatchItemFailures honours batchItemFailures in the response
	// (FunctionResponseTypes: ReportBatchItemFailures); without it any
	// function error fails the whole batch and anything else deletes it.
	ReportBatchItemFailures bool
}

// Run polls the queue and invokes the function until ctx is done, one
// batch at a time (one concurrent poller, like a mapping with maximum
// concurrency 1).
func (s *Server) Run(ctx context.Context, m Mapping, invoke Invoker) {
	for ctx.Err() == nil {
		if _, err := s.Poll(ctx, m, invoke, time.Second); err != nil && ctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// Poll waits up to wait for messages, invokes the function once with what
// it received, deletes what the response says was delivered, and returns
// how many records the event held.
func (s *Server) Poll(ctx context.Context, m Mapping, invoke Invoker, wait time.Duration) (int, error) {
	size := m.BatchSize
	if size <= 0 {
		size = 10
	}
	got, err := s.receiveWait(ctx, m.Queue, size, 0, wait)
	if err != nil || len(got) == 0 {
		return 0, err
	}
	if m.BatchingWindow > 0 && len(got) < size {
		more, err := s.receiveWait(ctx, m.Queue, size-len(got), 0, m.BatchingWindow)
		if err != nil {
			return 0, err
		}
		got = append(got, more...)
	}
	payload, err := json.Marshal(s.event(m.Queue, got))
	if err != nil {
		return 0, err
	}
	resp, err := invoke(ctx, payload)
	// A function error leaves every record to reappear after its
	// visibility timeout, as Lambda does.
	if err == nil {
		s.deleteDelivered(m, got, resp)
	}
	return len(got), nil
}

func (s *Server) event(queueName string, msgs []Message) events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(msgs))}
	for i, m := range msgs {
		ev.Records[i] = events.SQSMessage{
			MessageId: m.ID, ReceiptHandle: m.receiptHandle, Body: m.Body, Md5OfBody: md5Hex(m.Body),
			Attributes: attributes(m), EventSource: "aws:sqs", EventSourceARN: QueueARN(queueName), AWSRegion: Region,
			MessageAttributes: map[string]events.SQSMessageAttribute{},
		}
	}
	return ev
}

// deleteDelivered deletes the records the response does not report as
// failed. Like Lambda, a failure naming no record of the batch (or an
// unreadable response) counts as the whole batch failing.
func (s *Server) deleteDelivered(m Mapping, msgs []Message, resp []byte) {
	failed := map[string]bool{}
	if m.ReportBatchItemFailures {
		trimmed := bytes.TrimSpace(resp)
		if len(trimmed) > 0 && !bytes.Equal(trimmed, []byte("null")) {
			var r events.SQSEventResponse
			if err := json.Unmarshal(trimmed, &r); err != nil {
				return
			}
			inBatch := map[string]bool{}
			for _, msg := range msgs {
				inBatch[msg.ID] = true
			}
			for _, f := range r.BatchItemFailures {
				if !inBatch[f.ItemIdentifier] {
					return
				}
				failed[f.ItemIdentifier] = true
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[m.Queue]
	if q == nil {
		return
	}
	for _, msg := range msgs {
		if !failed[msg.ID] {
			q.remove(msg.receiptHandle)
		}
	}
	s.notify()
}

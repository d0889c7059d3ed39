package benchmark

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
)

// QueuedReport is gmailsend's queued sends: the latency of accepting one
// message (POST /messages) and a 100-message batch from POST
// /messages/batch to the last message delivered by the queue's consumer.
type QueuedReport struct {
	RTT     time.Duration
	Accept  Result // POST /messages, one message per call
	Batch   int    // messages in the batch
	Accepts time.Duration
	// EndToEnd is POST /messages/batch to the last delivery.
	EndToEnd    time.Duration
	Invocations int   // consumer invocations for the batch
	Conns       int64 // SMTP connections for the batch
	// BilledMs is the batch's billed Lambda duration: the accepting call
	// and every consumer invocation, each rounded up to 1 ms.
	BilledMs float64
	// Requests are the batch's AWS requests by service (the lower-case
	// suffix of its AWS_ENDPOINT_URL_ variable: dynamodb, sqs,
	// secrets_manager, scheduler) and operation.
	Requests map[string]map[string]int
}

// RunQueued measures queued sends: the real bootstrap under the local
// Runtime API, its real SDK clients against the local table (dynalite),
// queue and scheduler, each behind a proxy that delays every request by
// the simulated round trip, as the SMTP server delays every reply.
func RunQueued(ctx context.Context, cfg Config) (*QueuedReport, error) {
	bootstrap, st, err := startMeasured(cfg)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	q, err := devstack.StartQueueing(ctx, cfg.ModuleRoot, nil)
	if err != nil {
		return nil, err
	}
	defer q.Close()
	// Every AWS endpoint behind the simulated round trip, counted.
	env, proxies := delayAWS(append(st.Env(), q.Env()...), cfg.RTT)
	defer proxies.Close()
	fn, err := runtimeapi.StartFunction(ctx, bootstrap, env, nil, nil)
	if err != nil {
		return nil, err
	}
	defer fn.Stop()
	rep := &QueuedReport{RTT: cfg.RTT, Batch: 100}
	invoke := func(payload []byte) ([]byte, error) {
		out, err := fn.Invoke(ctx, payload, 30*time.Second)
		if err == nil && out.Err != nil {
			err = out.Err
		}
		return out.Payload, err
	}
	one := `{"credential": "support-desk", "toEmail": "kim@example.com", "subject": "대기열 벤치", "message": "<p>queued</p>"}`
	for i := 0; i < cfg.Warm; i++ {
		t0 := time.Now()
		if err := expect202(invoke(apiEvent("/messages", one))); err != nil {
			return nil, err
		}
		rep.Accept.record(time.Since(t0), 1)
	}
	consumeCtx, stop := context.WithCancel(ctx)
	defer stop()
	invocations := make(chan struct{}, 1000)
	var billed atomic.Int64  // ms of the batch's consumer invocations
	var running atomic.Int32 // consumer invocations not yet returned
	go q.Consume(consumeCtx, func(ctx context.Context, p []byte) (json.RawMessage, error) {
		invocations <- struct{}{}
		running.Add(1)
		defer running.Add(-1)
		t0 := time.Now()
		out, err := invoke(p)
		billed.Add(int64(billedMs(time.Since(t0))))
		return out, err
	})
	if err := waitDelivered(ctx, st, int64(cfg.Warm)); err != nil {
		return nil, err
	}
	for len(invocations) > 0 {
		<-invocations
	}

	before := st.SMTP.Stats()
	billed.Store(0)
	proxies.reset()
	items := make([]string, rep.Batch)
	for i := range items {
		items[i] = one
	}
	t0 := time.Now()
	if err := expect202(invoke(apiEvent("/messages/batch", `{"messages": [`+strings.Join(items, ",")+`]}`))); err != nil {
		return nil, err
	}
	rep.Accepts = time.Since(t0)
	if err := waitDelivered(ctx, st, before.Messages+int64(rep.Batch)); err != nil {
		return nil, err
	}
	rep.EndToEnd = time.Since(t0)
	// The last message is delivered before its invocation returns.
	for running.Load() > 0 && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	rep.Invocations, rep.Conns = len(invocations), st.SMTP.Stats().Connections-before.Connections
	rep.BilledMs = billedMs(rep.Accepts) + float64(billed.Load())
	rep.Requests = proxies.counts()
	return rep, nil
}

// apiEvent is a REST API proxy event for POST path with body.
func apiEvent(path, body string) []byte {
	ev := events.APIGatewayProxyRequest{Resource: path, Path: path, HTTPMethod: "POST", Body: body,
		Headers:        map[string]string{"Content-Type": "application/json"},
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "bench", Identity: events.APIGatewayRequestIdentity{APIKeyID: "bench"}}}
	b, _ := json.Marshal(ev)
	return b
}

func expect202(payload []byte, err error) error {
	if err != nil {
		return err
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(payload, &resp); err != nil || resp.StatusCode != 202 {
		return fmt.Errorf("benchmark: queued send answered %s", payload)
	}
	return nil
}

func waitDelivered(ctx context.Context, st *devstack.Stack, n int64) error {
	for st.SMTP.Stats().Messages < n {
		select {
		case <-ctx.Done():
			return fmt.Errorf("benchmark: %d of %d messages delivered: %w", st.SMTP.Stats().Messages, n, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}

// WriteMarkdown writes the queued sends' figures.
func (r *QueuedReport) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "\n### Queued sends (gmailsend)\n\n")
	fmt.Fprintf(w, "Every AWS call (DynamoDB on dynalite, SQS, Scheduler, Secrets Manager) and every SMTP reply delayed by %v.\n\n", r.RTT)
	fmt.Fprintf(w, "| measure | value |\n|---|---:|\n")
	fmt.Fprintf(w, "| `POST /messages` latency p50 (%d calls) | %s ms |\n", r.Accept.Messages, ms(r.Accept.Percentile(50)))
	fmt.Fprintf(w, "| `POST /messages` latency p99 | %s ms |\n", ms(r.Accept.Percentile(99)))
	fmt.Fprintf(w, "| `POST /messages/batch` of %d: accepted in | %s ms |\n", r.Batch, ms(r.Accepts))
	fmt.Fprintf(w, "| the batch: accepted to last delivery | %s ms (%.1f msgs/s) |\n", ms(r.EndToEnd), float64(r.Batch)/r.EndToEnd.Seconds())
	fmt.Fprintf(w, "| the batch: consumer invocations, new SMTP connections (the kept session carries on) | %d, %d |\n", r.Invocations, r.Conns)
	if list := requestList(r.Requests); list != "" {
		fmt.Fprintf(w, "\nThe batch's AWS requests (accepting and consuming it): %s.\n", list)
	}
}

package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gmailsend/gmailsend/dev/deveventbridge"
	"github.com/gmailsend/gmailsend/dev/devsqs"
	"github.com/gmailsend/gmailsend/dev/dynamostream"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// The names the local stack gives the status events' bus and queues.
const (
	LocalBus          = "gmailsend-local-events"
	LocalWebhookQueue = "webhooks"
)

// Events is the status events pipeline, locally: the stream stand-in in
// front of the table (dynalite has no Streams), the event bus, the
// webhook queue and the events function (its real bootstrap under the
// local Runtime API), fed as the template's two event source mappings
// feed it. The send function writes through Stream (SendEnv), so every
// record change it makes reaches the events function.
type Events struct {
	Stream *dynamostream.Proxy
	Bus    *deveventbridge.Server
	SQS    *devsqs.Server
	poller *dynamostream.Poller
	ownSQS bool
	// The mappings' invocations so far (Invocations).
	streamCalls, queueCalls atomic.Int64

	bin   string
	fnEnv []string
	logs  io.Writer
	mu    sync.Mutex
	fn    *runtimeapi.Function
	// crashed is closed when Crash kills the running function; the
	// invocation in flight then fails as a dead sandbox's does.
	crashed chan struct{}
}

// StartEvents builds functions/events into dir and starts it and its
// stand-ins in front of the dynalite at dynamoEndpoint (whose table is
// LocalTable). baseEnv is the send function's environment (region,
// credentials, the secrets endpoint and the fingerprint key's name).
//
// queues is the local SQS the webhook queues go on: the send queue's
// (make serve), so the send function reaches both through one endpoint;
// nil starts one of its own.
func StartEvents(ctx context.Context, root, dir, dynamoEndpoint string, queues *devsqs.Server, baseEnv []string, logs io.Writer) (*Events, error) {
	return StartEventsTuned(ctx, root, dir, dynamoEndpoint, queues, baseEnv, logs, EventsTuning{})
}

// EventsTuning adjusts the local pipeline for a measurement (make bench).
// Its zero value is the template's settings, what make serve and the
// tests run.
type EventsTuning struct {
	// StreamBatchingWindow, when not zero, replaces the stream mapping's
	// MaximumBatchingWindow (the template's 1 s); negative: no window,
	// every batch is invoked as soon as a record is there.
	StreamBatchingWindow time.Duration
	// FunctionEnv, when set, rewrites the events function's environment
	// before it starts (the benchmark puts its delaying proxies in front
	// of the stand-ins there).
	FunctionEnv func(env []string) []string
}

// StartEventsTuned is StartEvents with the pipeline adjusted by tuning.
func StartEventsTuned(ctx context.Context, root, dir, dynamoEndpoint string, queues *devsqs.Server, baseEnv []string, logs io.Writer, tuning EventsTuning) (*Events, error) {
	// go build runs in root: a relative dir must be made absolute here or
	// the binary lands under root instead of dir.
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "events", "bootstrap")
	if err := build(root, "./functions/events", bin, nil); err != nil {
		return nil, err
	}
	proxy, err := dynamostream.Start(dynamoEndpoint, dynamostream.Options{Tables: []string{LocalTable}, Region: "ap-northeast-2"})
	if err != nil {
		return nil, err
	}
	e := &Events{Stream: proxy, Bus: deveventbridge.Start(LocalBus), SQS: queues}
	if queues == nil {
		e.SQS, e.ownSQS = devsqs.Start(), true
	}
	e.SQS.CreateQueue("events-dead-letter", devsqs.QueueOptions{})
	e.SQS.CreateQueue("webhook-dead-letter", devsqs.QueueOptions{})
	e.SQS.CreateQueue(LocalWebhookQueue, devsqs.QueueOptions{VisibilityTimeout: 180 * time.Second, MaxMessageBytes: 256 << 10,
		DeadLetterQueue: "webhook-dead-letter", MaxReceiveCount: webhooks.MaxReceives}) // the template's maxReceiveCount (a test holds them equal)
	e.bin, e.logs = bin, logs
	e.fnEnv = append(append([]string(nil), baseEnv...), e.env()...)
	if tuning.FunctionEnv != nil {
		e.fnEnv = tuning.FunctionEnv(e.fnEnv)
	}
	if _, err := e.function(ctx); err != nil {
		e.Close()
		return nil, err
	}
	m := streamMapping(e.parkBatch)
	switch w := tuning.StreamBatchingWindow; {
	case w < 0:
		m.MaximumBatchingWindow = 0
	case w > 0:
		m.MaximumBatchingWindow = w
	}
	e.poller = dynamostream.NewPoller(proxy.Stream(LocalTable), m, e.invokeStream)
	return e, nil
}

// streamMapping is the template's TableStream event source mapping.
func streamMapping(onFailure func(ctx context.Context, record []byte)) dynamostream.Mapping {
	return dynamostream.Mapping{BatchSize: 100, MaximumBatchingWindow: time.Second, MaximumRetryAttempts: 10,
		BisectBatchOnFunctionError: true, ReportBatchItemFailures: true, OnFailure: onFailure}
}

func (e *Events) function(ctx context.Context) (*runtimeapi.Function, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fn != nil {
		return e.fn, nil
	}
	fn, err := runtimeapi.StartFunction(ctx, e.bin, e.fnEnv, e.logs, e.logs)
	if err != nil {
		return nil, err
	}
	e.fn, e.crashed = fn, make(chan struct{})
	return fn, nil
}

// Crash kills the events function at once (SIGKILL: no shutdown hook), as
// a crash or Lambda's hard timeout does; the next invocation starts a new
// one, as Lambda starts a new sandbox.
func (e *Events) Crash() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fn == nil {
		return
	}
	e.fn.Kill()
	close(e.crashed)
	e.fn = nil
}

func (e *Events) env() []string {
	return []string{
		"AWS_ENDPOINT_URL_DYNAMODB=" + e.Stream.URL,
		"AWS_ENDPOINT_URL_EVENTBRIDGE=" + e.Bus.URL,
		"AWS_ENDPOINT_URL_SQS=" + e.SQS.URL,
		"MESSAGES_TABLE=" + LocalTable,
		"EVENT_BUS_NAME=" + LocalBus,
		"WEBHOOK_QUEUE_URL=" + e.SQS.QueueURL(LocalWebhookQueue),
		// Local receivers listen on 127.0.0.1 over plain http.
		"WEBHOOK_ALLOW_LOOPBACK=true",
	}
}

// SendEnv points the send function's table writes through the stream,
// and its /webhooks routes at the webhook queue (loopback receivers
// allowed, as locally they listen on 127.0.0.1).
func (e *Events) SendEnv() []string {
	return []string{
		"AWS_ENDPOINT_URL_DYNAMODB=" + e.Stream.URL,
		"AWS_ENDPOINT_URL_SQS=" + e.SQS.URL,
		"WEBHOOK_QUEUE_URL=" + e.SQS.QueueURL(LocalWebhookQueue),
		"WEBHOOK_ALLOW_LOOPBACK=true",
	}
}

// parkBatch is the mapping's on-failure destination.
func (e *Events) parkBatch(_ context.Context, record []byte) {
	_ = e.SQS.DeliverToARN(devsqs.QueueARN("events-dead-letter"), string(record))
}

// Invoke runs the events function once on payload (a stream batch or a
// queue batch) and returns its answer.
func (e *Events) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return e.invoke(ctx, payload)
}

// Invocations are how often the stream's mapping and the webhook queue's
// have invoked the function so far (Invoke's calls are not counted).
func (e *Events) Invocations() (stream, queue int) {
	return int(e.streamCalls.Load()), int(e.queueCalls.Load())
}

func (e *Events) invokeStream(ctx context.Context, payload []byte) ([]byte, error) {
	e.streamCalls.Add(1)
	return e.invoke(ctx, payload)
}

func (e *Events) invokeQueue(ctx context.Context, payload []byte) ([]byte, error) {
	e.queueCalls.Add(1)
	return e.invoke(ctx, payload)
}

func (e *Events) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	fn, err := e.function(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	crashed := e.crashed
	e.mu.Unlock()
	ictx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-crashed:
			cancel()
		case <-ictx.Done():
		}
	}()
	res, err := fn.Invoke(ictx, payload, 30*time.Second)
	if err != nil {
		return nil, err
	}
	if res.Err != nil {
		return nil, errors.New(res.Err.Type + ": " + res.Err.Message)
	}
	return res.Payload, nil
}

// webhookMapping is the template's WebhookDeliveries event source mapping.
var webhookMapping = devsqs.Mapping{Queue: LocalWebhookQueue, BatchSize: 10, BatchingWindow: 0, ReportBatchItemFailures: true}

// Drain runs both mappings until the stream and the webhook queue have
// nothing visible: the events of every change so far are published and
// their first delivery attempts made.
func (e *Events) Drain(ctx context.Context) error {
	for {
		if err := e.DrainStream(ctx); err != nil {
			return err
		}
		n, err := e.SQS.Poll(ctx, webhookMapping, e.invokeQueue, 0)
		if err != nil {
			return err
		}
		if n == 0 && e.poller.Checkpoint() >= e.Stream.Stream(LocalTable).Len() {
			return nil
		}
	}
}

// DrainStream runs the stream's mapping alone until the stream is read:
// every change so far is on the bus and its webhook deliveries are on the
// queue, not yet attempted.
func (e *Events) DrainStream(ctx context.Context) error { return e.poller.Drain(ctx) }

// Run runs both mappings until ctx ends (make serve).
func (e *Events) Run(ctx context.Context) {
	go func() { _ = e.poller.Run(ctx) }()
	e.SQS.Run(ctx, webhookMapping, e.invokeQueue)
}

// Published is every event the bus accepted, decoded.
func (e *Events) Published() []json.RawMessage {
	var out []json.RawMessage
	for _, ev := range e.Bus.Events() {
		out = append(out, json.RawMessage(ev.Detail))
	}
	return out
}

// Close stops the function and the stand-ins.
func (e *Events) Close() {
	e.mu.Lock()
	if e.fn != nil {
		e.fn.Stop()
	}
	e.mu.Unlock()
	if e.ownSQS {
		e.SQS.Close()
	}
	e.Bus.Close()
	e.Stream.Close()
}

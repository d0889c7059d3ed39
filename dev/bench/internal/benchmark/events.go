package benchmark

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/gmailsend/gmailsend/dev/devstack"
)

// TemplateStreamWindow is the stream mapping's MaximumBatchingWindowInSeconds
// in template.yaml, which devstack's pipeline applies by default.
const TemplateStreamWindow = time.Second

// EventsReport is the status events' figures (issue 24): how long a
// status change takes to reach a webhook receiver, and how many events
// one events function instance publishes and delivers a second.
type EventsReport struct {
	RTT     time.Duration
	Latency []EventLatency
	// Throughput is the drain of a backlog through one events function.
	Throughput EventThroughput
	// PostfixSkipped says why Postfix was not measured, when asked for.
	PostfixSkipped string
}

// EventLatency is one run of sends, back to back, with the events
// pipeline running beside them.
type EventLatency struct {
	Server string
	// Window is the stream mapping's batching window (0: none).
	Window time.Duration
	// Webhook's latencies are each event's status change (its timestamp:
	// the record's updatedAt) to the receiver reading the request.
	Webhook Result
	// Send's latencies are POST /send as its caller sees it.
	Send Result
	// SendRequests are the send function's AWS requests during the
	// measured sends, by service and operation.
	SendRequests map[string]map[string]int
	// StreamCalls and QueueCalls are the events function's invocations by
	// the stream's mapping and the webhook queue's.
	StreamCalls, QueueCalls int
	Repeated                int // deliveries of an event already received
}

// ForEvents is how many of the send function's requests went to the
// services an event could be published through (SQS, EventBridge): none,
// since the table's stream carries the events.
func (l EventLatency) ForEvents() int {
	n := 0
	for _, service := range []string{"sqs", "eventbridge"} {
		for _, c := range l.SendRequests[service] {
			n += c
		}
	}
	return n
}

// EventThroughput is a backlog of status changes drained through one
// events function: the stream's batches onto the bus and the webhook
// queue, then the queue's batches to the receiver.
type EventThroughput struct {
	Records    int // stream records written (each message's claim and outcome)
	Events     int // events the bus accepted
	Deliveries int // distinct events the receiver got
	// ToBus is the stream drained: every event on the bus and its
	// delivery on the webhook queue. ToWebhooks is the queue drained after.
	ToBus, ToWebhooks       time.Duration
	StreamCalls, QueueCalls int
	// Requests are the events function's AWS requests during the drain.
	Requests map[string]map[string]int
}

// RunEvents measures the status events: the latency on the development
// server, then on Postfix (Config.Postfix, skipped with a line where it
// cannot run), each with the template's stream batching window and with
// none; then the drain of Config.EventRecords changes.
func RunEvents(ctx context.Context, cfg Config) (*EventsReport, error) {
	bootstrap, st, err := startMeasured(cfg)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	rep := &EventsReport{RTT: cfg.RTT}
	targets, skipped, stop, err := startTargets(ctx, cfg, st)
	if err != nil {
		return nil, err
	}
	defer stop()
	rep.PostfixSkipped = skipped
	req, err := json.Marshal(Request())
	if err != nil {
		return nil, err
	}
	for _, t := range targets {
		for _, window := range []time.Duration{TemplateStreamWindow, 0} {
			l, err := eventLatency(ctx, cfg, bootstrap, st, t, window, string(req))
			if err != nil {
				return nil, fmt.Errorf("benchmark: status events, %s, window %v: %w", t.Name, window, err)
			}
			rep.Latency = append(rep.Latency, l)
		}
	}
	if rep.Throughput, err = eventThroughput(ctx, cfg, bootstrap, st); err != nil {
		return nil, fmt.Errorf("benchmark: status events, drain: %w", err)
	}
	return rep, nil
}

// eventLatency sends cfg.EventSends messages one after another while
// both mappings run, and takes each event's status change to its arrival
// at the receiver. One send before them warms both functions (SDK
// clients, the fan-out's subscription cache) and is not counted.
func eventLatency(ctx context.Context, cfg Config, bootstrap string, st *devstack.Stack, t target, window time.Duration, req string) (EventLatency, error) {
	l := EventLatency{Server: t.Name, Window: window}
	tuned := window
	if window == 0 {
		tuned = -1 // StartEventsTuned's "none"
	}
	p, err := startEventsPipeline(ctx, cfg, bootstrap, st, t, tuned)
	if err != nil {
		return l, err
	}
	defer p.Close()
	runCtx, stop := context.WithCancel(ctx)
	running := make(chan struct{})
	go func() { p.ev.Run(runCtx); close(running) }()
	defer func() { stop(); <-running }()

	if _, err := p.sendOne(ctx, req); err != nil {
		return l, err
	}
	if err := p.hook.wait(ctx, 1); err != nil {
		return l, err
	}
	p.sendAWS.reset()
	stream0, queue0 := p.ev.Invocations()
	ids := make([]string, 0, cfg.EventSends)
	for i := 0; i < cfg.EventSends; i++ {
		t0 := time.Now()
		id, err := p.sendOne(ctx, req)
		if err != nil {
			return l, err
		}
		l.Send.record(time.Since(t0), 1)
		ids = append(ids, id)
	}
	l.SendRequests = p.sendAWS.counts()
	if err := p.hook.wait(ctx, 1+len(ids)); err != nil {
		return l, err
	}
	got := p.hook.byMessage()
	for _, id := range ids {
		d, ok := got[id]
		if !ok {
			return l, fmt.Errorf("no webhook delivery for message %s", id)
		}
		l.Webhook.record(d.Arrived.Sub(d.Changed), 1)
	}
	stream1, queue1 := p.ev.Invocations()
	l.StreamCalls, l.QueueCalls = stream1-stream0, queue1-queue0
	p.hook.mu.Lock()
	l.Repeated = p.hook.repeated
	p.hook.mu.Unlock()
	return l, nil
}

// WriteMarkdown writes the status events' figures.
func (r *EventsReport) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "\n### Status events (gmailsend)\n\n")
	fmt.Fprintf(w, "The real send and events functions under the local Runtime API; every AWS call of both (DynamoDB on dynalite through the stream stand-in, EventBridge, SQS, Secrets Manager) delayed by %v, as every SMTP reply. "+
		"The stream's mapping: batches of up to 100, the batching window below (the template's is %v); the stand-in wakes at each write and has no polling interval. "+
		"The webhook queue's mapping: batches of up to 10, no window, a receive that returns as soon as a message is there. One events function serves both, one invocation at a time. "+
		"Latency: the event's `timestamp` (the status change: the record's `updatedAt`, in milliseconds, set just before the send function writes the record) to the loopback receiver reading the request; sends back to back through the warm send function.\n\n", r.RTT, TemplateStreamWindow)
	fmt.Fprintf(w, "| server | stream batching window | sends | send p50 ms | event p50 ms | event p99 ms | event max ms | stream invocations | queue invocations | send's requests to SQS or EventBridge |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, l := range r.Latency {
		window := "none"
		if l.Window > 0 {
			window = l.Window.String()
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s | %d | %d | %d |\n", l.Server, window, l.Webhook.Messages, ms(l.Send.Percentile(50)),
			ms(l.Webhook.Percentile(50)), ms(l.Webhook.Percentile(99)), ms(l.Webhook.Percentile(100)), l.StreamCalls, l.QueueCalls, l.ForEvents())
	}
	if r.PostfixSkipped != "" {
		fmt.Fprintf(w, "\nPostfix not measured: %s.\n", r.PostfixSkipped)
	}
	if len(r.Latency) > 0 {
		l := r.Latency[0]
		fmt.Fprintf(w, "\nThe send function's AWS requests during the first row's %d sends: %s (the table's writes, nothing for the events: the stream carries them).\n",
			l.Send.Messages, requestList(l.SendRequests))
	}
	t := r.Throughput
	fmt.Fprintf(w, "\n| one events function, a backlog of %d status changes (%d stream records) | value |\n|---|---:|\n", t.Events, t.Records)
	fmt.Fprintf(w, "| stream → bus and webhook queue | %s ms, %.0f events/s, %d invocations |\n", ms(t.ToBus), perSecond(t.Events, t.ToBus), t.StreamCalls)
	fmt.Fprintf(w, "| webhook queue → receiver | %s ms, %.0f deliveries/s, %d invocations |\n", ms(t.ToWebhooks), perSecond(t.Deliveries, t.ToWebhooks), t.QueueCalls)
	fmt.Fprintf(w, "| both, one after the other | %s ms, %.0f events/s |\n", ms(t.ToBus+t.ToWebhooks), perSecond(t.Events, t.ToBus+t.ToWebhooks))
	if list := requestList(t.Requests); list != "" {
		fmt.Fprintf(w, "\nThe events function's AWS requests for the backlog: %s.\n", list)
	}
}

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

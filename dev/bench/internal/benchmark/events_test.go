package benchmark

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestEventsMarkdownShowsTheFigures ensures the report prints each latency row's percentiles and counts, and the drain's rates, from the measurements.
func TestEventsMarkdownShowsTheFigures(t *testing.T) {
	l := EventLatency{Server: DevServer, Window: time.Second, StreamCalls: 3, QueueCalls: 12,
		SendRequests: map[string]map[string]int{"dynamodb": {"PutItem": 200}, "sqs": {}}}
	for i := 1; i <= 100; i++ {
		l.Webhook.record(time.Duration(i)*10*time.Millisecond, 1)
		l.Send.record(20*time.Millisecond, 1)
	}
	r := &EventsReport{RTT: 10 * time.Millisecond, Latency: []EventLatency{l},
		Throughput: EventThroughput{Records: 2000, Events: 1000, Deliveries: 1000, ToBus: 2 * time.Second, ToWebhooks: 4 * time.Second, StreamCalls: 20, QueueCalls: 100}}
	var b bytes.Buffer
	r.WriteMarkdown(&b)
	for _, want := range []string{"| development server | 1s | 100 | 20.0 | 500.0 | 990.0 | 1000.0 | 3 | 12 | 0 |",
		"dynamodb: PutItem 200", "1000 status changes (2000 stream records)", "2000.0 ms, 500 events/s, 20 invocations", "4000.0 ms, 250 deliveries/s, 100 invocations", "6000.0 ms, 167 events/s"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

// TestRunEventsShort runs the status events measurement once with tiny counts so it cannot rot: the real send and events functions, every send's event delivered to the webhook once measured, the send path making no request for events, and the whole backlog published and delivered.
func TestRunEventsShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bootstrap binaries")
	}
	dynalite.Require(t)
	cfg := Config{EventSends: 3, EventRecords: 150, ModuleRoot: fixture.ModuleRoot(t), WorkDir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r, err := RunEvents(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Latency) != 2 {
		t.Fatalf("%d latency rows, want the template's window and none", len(r.Latency))
	}
	for _, l := range r.Latency {
		p50, p99 := l.Webhook.Percentile(50), l.Webhook.Percentile(99)
		if l.Webhook.Messages != 3 || l.Send.Messages != 3 || p50 <= 0 || p50 > p99 || l.StreamCalls < 1 || l.QueueCalls < 1 || l.ForEvents() != 0 {
			t.Errorf("%+v", l)
		}
		if len(l.SendRequests["dynamodb"]) == 0 {
			t.Errorf("the send function's table writes were not counted: %v", l.SendRequests)
		}
	}
	th := r.Throughput
	// 150 changes: two stream batches of up to 100, at least 15 queue batches of up to 10.
	if th.Events != 150 || th.Deliveries != 150 || th.Records < 300 || th.StreamCalls < 2 || th.QueueCalls < 15 || th.ToBus <= 0 || th.ToWebhooks <= 0 {
		t.Fatalf("%+v", th)
	}
}

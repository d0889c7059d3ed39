package eventsapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/deveventbridge"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/dynamostream"
	"github.com/gmailsend/gmailsend/dev/emfcheck"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/emf"
	"github.com/gmailsend/gmailsend/internal/eventsapp"
	"github.com/gmailsend/gmailsend/internal/sqsqueue"
	"github.com/gmailsend/gmailsend/internal/statusevents"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// metrics checks every metric line of out against the Embedded Metric
// Format specification and returns its series, and the lines themselves.
func metrics(t *testing.T, out string) (series []emfcheck.Series, lines []string) {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if !emfcheck.IsEMF([]byte(l)) {
			continue
		}
		if err := emfcheck.Check([]byte(l), time.Now()); err != nil {
			t.Fatalf("%v\n%s", err, l)
		}
		ss, err := emfcheck.Decode([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		series, lines = append(series, ss...), append(lines, l)
	}
	return series, lines
}

// named returns the series of metric name as strings, without values
// when the value is not of interest.
func named(series []emfcheck.Series, name string, withValues bool) []string {
	var out []string
	for _, s := range series {
		if s.Name != name {
			continue
		}
		if !withValues {
			s.Values = nil
		}
		out = append(out, s.String())
	}
	slices.Sort(out)
	return out
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s:\ngot  %q\nwant %q", what, got, want)
	}
}

// TestMaxWebhookAttemptIsTheQueuesReceives ensures the Attempt dimension's bound is the webhook queue's receive count, not a copy that drifts.
func TestMaxWebhookAttemptIsTheQueuesReceives(t *testing.T) {
	if emf.MaxWebhookAttempt != webhooks.MaxReceives {
		t.Fatalf("emf.MaxWebhookAttempt %d, webhooks.MaxReceives %d", emf.MaxWebhookAttempt, webhooks.MaxReceives)
	}
}

// TestStreamBatchMetrics ensures a stream batch of the real table (through the stream stand-in) publishes EventsPublished per event type it put on the bus, and EventBatchesRetried 0; the same batch refused by the bus publishes EventBatchesRetried 1 and no event; and no metric line holds the caller, the message id or the account.
func TestStreamBatchMetrics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, endpoint := dynalite.StartTable(t, "messages")
	p, err := dynamostream.Start(endpoint, dynamostream.Options{Tables: []string{"messages"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	tbl := dynamostore.NewWithAPI("messages", dynalite.NewClient(p.URL))
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i, end := range []gmailsend.Status{gmailsend.StatusSent, gmailsend.StatusSent, gmailsend.StatusFailed} {
		rec := &gmailsend.Record{ID: fmt.Sprintf("msg-marker-%d", i), Status: gmailsend.StatusSending, Caller: "caller-key-marker",
			Account: "credential:account-marker", Source: "sqs", Recipients: 1, CreatedAt: now, UpdatedAt: now,
			ExpiresAt: now.Add(24 * time.Hour), LeaseUntil: now.Add(time.Minute), Token: gmailsend.NewToken()}
		if _, err := tbl.Claim(ctx, rec); err != nil {
			t.Fatal(err)
		}
		done := *rec
		done.Status, done.UpdatedAt = end, now.Add(time.Second)
		if err := tbl.Finish(ctx, &done); err != nil {
			t.Fatal(err)
		}
	}
	batch, _ := json.Marshal(events.DynamoDBEvent{Records: p.Stream("messages").Records()})
	bus := deveventbridge.Start("status")
	t.Cleanup(bus.Close)
	logs := new(fixture.SyncBuffer)
	cfg := app.Defaults()
	cfg.EventBusName = "status"
	ev, err := eventsapp.Build(cfg, eventsapp.Parts{App: app.Parts{Log: logs}, EventBridge: bus.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ev.Invoke(ctx, batch); err != nil {
		t.Fatal(err)
	}
	series, _ := metrics(t, logs.String())
	same(t, "EventsPublished", named(series, emf.MetricEventsPublished, true), []string{
		"EventsPublished 2 Count (no dimension)", "EventsPublished 2 Count {EventType=message.sent}",
		"EventsPublished 1 Count (no dimension)", "EventsPublished 1 Count {EventType=message.failed}",
	})
	same(t, "EventBatchesRetried", named(series, emf.MetricEventBatchesRetried, true), []string{"EventBatchesRetried 0 Count (no dimension)"})
	if len(bus.Events()) != 3 {
		t.Fatalf("%d events on the bus", len(bus.Events()))
	}

	bus.FailWhere(func(deveventbridge.Event) string { return "AccessDeniedException" })
	before := len(logs.String())
	out, err := ev.Invoke(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(out); !strings.Contains(string(b), "itemIdentifier") {
		t.Fatalf("the refused batch was not reported for retry: %s", b)
	}
	series, lines := metrics(t, logs.String()[before:])
	same(t, "EventBatchesRetried after a refusal", named(series, emf.MetricEventBatchesRetried, true), []string{"EventBatchesRetried 1 Count (no dimension)"})
	if got := named(series, emf.MetricEventsPublished, true); len(got) != 0 {
		t.Errorf("a refused batch counted events: %q", got)
	}
	_, all := metrics(t, logs.String())
	for _, l := range append(lines, all...) {
		for _, forbidden := range []string{"msg-marker", "caller-key-marker", "account-marker"} {
			if strings.Contains(l, forbidden) {
				t.Errorf("a metric line holds %q: %s", forbidden, l)
			}
		}
	}
}

// TestWebhookDeliveryMetrics ensures a batch of the webhook queue publishes, per attempt, WebhookDeliveries by outcome and by outcome and attempt: delivered (with WebhookDeliveryLatency from the event's timestamp and WebhookResponseTime), retry for a 500, disabled for a 410, unavailable for a body that is no delivery; a failing delivery handed back on a receive count past the queue's (SQS may say 9) is given_up under Attempt 8; and no metric line holds a secret, the URL, an endpoint or key id, or the event's body.
func TestWebhookDeliveryMetrics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ddb, _ := dynalite.StartTable(t, "messages")
	q, url := startWebhookQueue(t)
	recv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		switch {
		case strings.HasPrefix(r.URL.Path, "/fail"):
			w.WriteHeader(500)
		case strings.HasPrefix(r.URL.Path, "/gone"):
			w.WriteHeader(410)
		}
	}))
	t.Cleanup(recv.Close)
	key, reg := testRegistry(ddb)
	endpoints := map[string]*webhooks.Registered{}
	for _, path := range []string{"/ok", "/fail", "/gone"} {
		c, err := reg.Create(ctx, "key-marker", webhooks.CreateInput{URL: recv.URL + path + "?token=qs-secret"})
		if err != nil {
			t.Fatal(err)
		}
		endpoints[path] = c
	}
	logs := new(fixture.SyncBuffer)
	cfg := app.Defaults()
	cfg.MessagesTable, cfg.WebhookQueueURL, cfg.WebhookAllowLoopback = "messages", url, true
	ev, err := eventsapp.Build(cfg, eventsapp.Parts{App: app.Parts{DynamoDB: ddb, SQS: q.Client(), SQSVisibility: q.Client(), FingerprintKey: key, Log: logs},
		WebhookRoots: recv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs})
	if err != nil {
		t.Fatal(err)
	}
	changed := time.Now().Add(-3 * time.Second).UTC()
	delivery := func(path string) statusevents.Delivery {
		return statusevents.Delivery{Caller: "key-marker", Endpoint: endpoints[path].ID, Event: gmailsend.Event{ID: "evt" + strings.ReplaceAll(path, "/", "_"),
			Type: gmailsend.EventSent, Timestamp: changed, Data: gmailsend.EventData{MessageID: "body-marker", APIKeyID: "key-marker"}}}
	}
	if err := sqsqueue.NewWebhookQueueWithAPI(url, q.Client()).Enqueue(ctx, []statusevents.Delivery{delivery("/ok"), delivery("/fail"), delivery("/gone")}); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Client().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: strPtr(`{"something":"else"}`)}); err != nil {
		t.Fatal(err)
	}
	if n, _ := pollWebhooks(ctx, t, q, ev); n != 4 {
		t.Fatalf("polled %d", n)
	}
	series, _ := metrics(t, logs.String())
	same(t, "WebhookDeliveries", named(series, emf.MetricWebhookDeliveries, true), []string{
		"WebhookDeliveries 1 Count {Outcome=delivered}", "WebhookDeliveries 1 Count {Outcome=delivered, Attempt=1}",
		"WebhookDeliveries 1 Count {Outcome=retry}", "WebhookDeliveries 1 Count {Outcome=retry, Attempt=1}",
		"WebhookDeliveries 1 Count {Outcome=disabled}", "WebhookDeliveries 1 Count {Outcome=disabled, Attempt=1}",
		"WebhookDeliveries 1 Count {Outcome=unavailable}", "WebhookDeliveries 1 Count {Outcome=unavailable, Attempt=1}",
	})
	same(t, "WebhookResponseTime", named(series, emf.MetricWebhookResponseTime, false), []string{
		"WebhookResponseTime  Milliseconds {Outcome=delivered}", "WebhookResponseTime  Milliseconds {Outcome=retry}",
		"WebhookResponseTime  Milliseconds {Outcome=disabled}",
	})
	same(t, "WebhookDeliveryLatency", named(series, emf.MetricWebhookDeliveryLatency, false), []string{
		"WebhookDeliveryLatency  Milliseconds (no dimension)", "WebhookDeliveryLatency  Milliseconds {Attempt=1}",
	})
	for _, s := range series {
		if s.Name == emf.MetricWebhookDeliveryLatency && (s.Values[0] < 3000 || s.Values[0] > 30000) {
			t.Errorf("latency %v ms, want the 3 s since the change and the attempt's own time", s.Values[0])
		}
	}

	// The failing delivery once more, as SQS would hand it back past the
	// redrive's count.
	var job string
	for _, m := range q.Messages("webhooks") {
		if strings.Contains(m.Body, "evt_fail") {
			job = m.Body
		}
	}
	if job == "" {
		t.Fatal("the failed delivery is not back on the queue")
	}
	again, _ := json.Marshal(events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-9", EventSource: "aws:sqs", Body: job,
		Attributes: map[string]string{"ApproximateReceiveCount": "9"}}}})
	before := len(logs.String())
	if _, err := ev.Invoke(ctx, again); err != nil {
		t.Fatal(err)
	}
	late, _ := metrics(t, logs.String()[before:])
	same(t, "the ninth receive", named(late, emf.MetricWebhookDeliveries, true), []string{
		"WebhookDeliveries 1 Count {Outcome=given_up}", "WebhookDeliveries 1 Count {Outcome=given_up, Attempt=8}",
	})

	_, lines := metrics(t, logs.String())
	forbidden := []string{"whsec_", "qs-secret", "body-marker", "key-marker", "127.0.0.1", recv.URL, "evt_"}
	for _, c := range endpoints {
		forbidden = append(forbidden, c.ID, c.Secret)
	}
	for _, l := range lines {
		for _, f := range forbidden {
			if strings.Contains(l, f) {
				t.Errorf("a metric line holds %q: %s", f, l)
			}
		}
	}
}

// TestWebhookRefusedAndDroppedMetrics ensures the two outcomes no receiver
// answers are counted too: an endpoint whose address the guard refuses at
// connect time (registered while loopback was allowed, delivered by a
// function that allows none: what a rebinding name looks like) is
// WebhookDeliveries {Outcome=refused} with nothing at the receiver, and a
// delivery to an endpoint deleted since it was queued is {Outcome=dropped}.
func TestWebhookRefusedAndDroppedMetrics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ddb, _ := dynalite.StartTable(t, "messages")
	q, url := startWebhookQueue(t)
	var reached atomic.Int32
	recv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	t.Cleanup(recv.Close)
	key, reg := testRegistry(ddb)
	inside, err := reg.Create(ctx, "key-a", webhooks.CreateInput{URL: recv.URL + "/inside"})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := reg.Create(ctx, "key-a", webhooks.CreateInput{URL: recv.URL + "/deleted"})
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Delete(ctx, "key-a", gone.ID); err != nil {
		t.Fatal(err)
	}
	logs := new(fixture.SyncBuffer)
	cfg := app.Defaults()
	cfg.MessagesTable, cfg.WebhookQueueURL = "messages", url // WebhookAllowLoopback false, as on AWS
	ev, err := eventsapp.Build(cfg, eventsapp.Parts{App: app.Parts{DynamoDB: ddb, SQS: q.Client(), SQSVisibility: q.Client(), FingerprintKey: key, Log: logs},
		WebhookRoots: recv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs})
	if err != nil {
		t.Fatal(err)
	}
	evt := gmailsend.Event{ID: "evt_1", Type: gmailsend.EventSent, Timestamp: time.Now().UTC(), Data: gmailsend.EventData{MessageID: "m-1", APIKeyID: "key-a"}}
	if err := sqsqueue.NewWebhookQueueWithAPI(url, q.Client()).Enqueue(ctx, []statusevents.Delivery{
		{Caller: "key-a", Endpoint: inside.ID, Event: evt}, {Caller: "key-a", Endpoint: gone.ID, Event: evt}}); err != nil {
		t.Fatal(err)
	}
	if n, _ := pollWebhooks(ctx, t, q, ev); n != 2 {
		t.Fatalf("polled %d", n)
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the receiver on loopback was reached %d time(s)", n)
	}
	series, _ := metrics(t, logs.String())
	same(t, "WebhookDeliveries", named(series, emf.MetricWebhookDeliveries, true), []string{
		"WebhookDeliveries 1 Count {Outcome=refused}", "WebhookDeliveries 1 Count {Outcome=refused, Attempt=1}",
		"WebhookDeliveries 1 Count {Outcome=dropped}", "WebhookDeliveries 1 Count {Outcome=dropped, Attempt=1}",
	})
	// The refused attempt reached out (resolved, dialled, refused at the
	// guard) and is timed; the dropped one sent nothing and is not.
	same(t, "WebhookResponseTime", named(series, emf.MetricWebhookResponseTime, false), []string{
		"WebhookResponseTime  Milliseconds {Outcome=refused}",
	})
}

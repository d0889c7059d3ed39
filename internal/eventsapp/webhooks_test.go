package eventsapp_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsqs"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/iamcheck"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/eventsapp"
	"github.com/gmailsend/gmailsend/internal/sqsqueue"
	"github.com/gmailsend/gmailsend/internal/standardwebhooks"
	"github.com/gmailsend/gmailsend/internal/statusevents"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// visibilityCalls records ChangeMessageVisibility calls on their way to
// the real queue.
type visibilityCalls struct {
	sqsqueue.VisibilityAPI
	mu    sync.Mutex
	secs  []int32
	calls *iamcheck.Calls
}

func (v *visibilityCalls) ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, o ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	v.mu.Lock()
	v.secs = append(v.secs, in.VisibilityTimeout)
	v.mu.Unlock()
	v.recordCall(in)
	return v.VisibilityAPI.ChangeMessageVisibility(ctx, in, o...)
}

// TestWebhookDeliveriesFromTheQueue ensures the events function takes a batch of the webhook queue through devsqs's mapping: a delivery its receiver answers 2xx arrives signed (checked with this test's own HMAC) and is deleted; one answered 500 is reported as a batch item failure and made visible again after the schedule's first step (5 s) by ChangeMessageVisibility; a body that is no delivery is reported; no log line holds the secret, the URL's query or the event's body; and every AWS call it made (endpoint reads, the failure's update, the visibility change) is allowed by EventsFunction's policy in template.yaml.
func TestWebhookDeliveriesFromTheQueue(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ddb, _ := dynalite.StartTable(t, "messages")
	q, url := startWebhookQueue(t)
	var (
		mu  sync.Mutex
		got []*http.Request
		raw [][]byte
	)
	recv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, raw = append(got, r), append(raw, body)
		mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/fail") {
			w.WriteHeader(500)
		}
	}))
	t.Cleanup(recv.Close)
	key, reg := testRegistry(ddb)
	ok, err := reg.Create(ctx, "key-a", webhooks.CreateInput{URL: recv.URL + "/ok?token=qs-secret-1"})
	if err != nil {
		t.Fatal(err)
	}
	bad, err := reg.Create(ctx, "key-b", webhooks.CreateInput{URL: recv.URL + "/fail?token=qs-secret-2"})
	if err != nil {
		t.Fatal(err)
	}
	logs := new(fixture.SyncBuffer)
	made := &iamcheck.Calls{}
	vis := &visibilityCalls{VisibilityAPI: q.Client(), calls: made}
	cfg := app.Defaults()
	cfg.MessagesTable, cfg.WebhookQueueURL, cfg.WebhookAllowLoopback = "messages", url, true
	ev, err := eventsapp.Build(cfg, eventsapp.Parts{App: app.Parts{DynamoDB: iamcheck.Table{API: ddb, Calls: made}, SQS: q.Client(), SQSVisibility: vis, FingerprintKey: key, Log: logs},
		WebhookRoots: recv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs})
	if err != nil {
		t.Fatal(err)
	}
	event := func(id, caller string) gmailsend.Event {
		return gmailsend.Event{ID: id, Type: gmailsend.EventSent, Timestamp: time.Now().UTC(),
			Data: gmailsend.EventData{MessageID: "body-marker-" + id, APIKeyID: caller}}
	}
	if err := sqsqueue.NewWebhookQueueWithAPI(url, q.Client()).Enqueue(ctx, []statusevents.Delivery{
		{Caller: "key-a", Endpoint: ok.ID, Event: event("evt_ok", "key-a")},
		{Caller: "key-b", Endpoint: bad.ID, Event: event("evt_bad", "key-b")},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Client().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: strPtr(`{"something":"else"}`)}); err != nil {
		t.Fatal(err)
	}
	n, resp := pollWebhooks(ctx, t, q, ev)
	if n != 3 {
		t.Fatalf("polled %d", n)
	}
	var answer struct {
		BatchItemFailures []struct{ ItemIdentifier string } `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(resp, &answer); err != nil || len(answer.BatchItemFailures) != 2 {
		t.Fatalf("answer %s", resp)
	}
	left := q.Messages("webhooks")
	if len(left) != 2 {
		t.Fatalf("%d messages left, want the failed and the foreign one", len(left))
	}
	for _, m := range left {
		if strings.Contains(m.Body, "evt_ok") {
			t.Fatal("the delivered one was not deleted")
		}
	}
	if len(vis.secs) != 1 || vis.secs[0] != 5 {
		t.Fatalf("visibility changes %v, want one of 5 s", vis.secs)
	}
	if len(got) != 2 {
		t.Fatalf("%d requests reached the receiver", len(got))
	}
	for i, r := range got {
		secret := ok.Secret
		if strings.HasPrefix(r.URL.Path, "/fail") {
			secret = bad.Secret
		}
		if !verifiedHere(secret, r.Header, raw[i]) {
			t.Errorf("request to %s is not signed with its endpoint's secret", r.URL.Path)
		}
	}
	for _, forbidden := range []string{"whsec_", ok.Secret[6:16], "qs-secret", "body-marker"} {
		if strings.Contains(logs.String(), forbidden) {
			t.Errorf("a log line holds %q:\n%s", forbidden, logs.String())
		}
	}
	iamcheck.Check(t, "EventsFunction", nil, made.All(), "dynamodb:GetItem hook#", "dynamodb:UpdateItem hook#", "sqs:ChangeMessageVisibility")
	if len(made.All()) < 4 {
		t.Fatalf("only %d calls recorded: %v", len(made.All()), made.All())
	}
	g, err := reg.Get(ctx, "key-b", bad.ID)
	if err != nil || len(g.Failures) != 1 || g.Failures[0].Status != 500 || g.Failures[0].Attempt != 1 {
		t.Fatalf("failure record %+v %v", g, err)
	}
}

func strPtr(s string) *string { return &s }

// verifiedHere checks a Standard Webhooks signature with this test's own
// HMAC, not the package's Verify.
func verifiedHere(secret string, h http.Header, body []byte) bool {
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "."))
	mac.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, s := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}

// startWebhookQueue starts the webhook queue as the template makes it: its
// dead-letter queue after webhooks.MaxReceives receives.
func startWebhookQueue(t *testing.T) (*devsqs.Server, string) {
	q := devsqs.Start()
	t.Cleanup(q.Close)
	q.CreateQueue("webhooks-dlq", devsqs.QueueOptions{})
	return q, q.CreateQueue("webhooks", devsqs.QueueOptions{DeadLetterQueue: "webhooks-dlq", MaxReceiveCount: webhooks.MaxReceives})
}

// testRegistry is the webhook registry over the test's table, with a
// fixed fingerprint key (returned: the events function is built with it)
// and loopback receivers allowed at registration.
func testRegistry(ddb dynamostore.API) (gmailsend.FingerprintKeys, *webhooks.Registry) {
	key := gmailsend.StaticKey([]byte("0123456789abcdef0123456789abcdef"))
	return key, &webhooks.Registry{Store: dynamostore.NewWithAPI("messages", ddb), Seal: &webhooks.KeySealer{Keys: key},
		URLs: standardwebhooks.URLPolicy{AllowLoopback: true}}
}

// pollWebhooks runs one batch of the webhook queue through ev, as the
// template's WebhookDeliveries mapping does, and returns how many records
// the batch held and the function's answer.
func pollWebhooks(ctx context.Context, t *testing.T, q *devsqs.Server, ev *eventsapp.Events) (int, []byte) {
	t.Helper()
	var resp []byte
	n, err := q.Poll(ctx, devsqs.Mapping{Queue: "webhooks", BatchSize: 10, ReportBatchItemFailures: true}, func(ctx context.Context, p []byte) ([]byte, error) {
		out, err := ev.Invoke(ctx, p)
		if err != nil {
			return nil, err
		}
		resp, err = json.Marshal(out)
		return resp, err
	}, 5*time.Second)
	if err != nil {
		t.Fatalf("polled %d: %v", n, err)
	}
	return n, resp
}

package main_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/deveventbridge"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/emfcheck"
	"github.com/gmailsend/gmailsend/dev/eventschema"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
)

// pipeline is the send function and the events function, both real
// bootstraps under the local Runtime API, over one dynalite table seen
// through the stream stand-in.
type pipeline struct {
	send    *runtimeapi.Function
	events  *devstack.Events
	schemas *eventschema.Schemas
	logs    *fixture.SyncBuffer
}

func startPipeline(t *testing.T) *pipeline { t.Helper(); return startPipelineWith(t, nil) }

// startPipelineWith starts the pipeline with mail adjusting the
// development SMTP server (nil: as it comes).
func startPipelineWith(t *testing.T, mail func(*devsmtp.Options)) *pipeline {
	t.Helper()
	ctx := context.Background()
	root, dir := fixture.ModuleRoot(t), t.TempDir()
	st, err := devstack.Start(devstack.Options{Dir: dir, Mail: mail})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	ms, err := devstack.StartMessageStore(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ms.Close)
	logs := new(fixture.SyncBuffer)
	ev, err := devstack.StartEvents(ctx, root, dir, ms.Endpoint(), nil, st.Env(), logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ev.Close)
	bin, err := devstack.BuildBootstrap(root, filepath.Join(dir, "send"))
	if err != nil {
		t.Fatal(err)
	}
	env := append(append(st.Env(), ms.Env()...), ev.SendEnv()...)
	send, err := runtimeapi.StartFunction(ctx, bin, env, logs, logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { send.Stop() })
	schemas, err := eventschema.Load(filepath.Join(root, "api", "events"))
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline{send: send, events: ev, schemas: schemas, logs: logs}
}

// sendOne posts one message through the API Gateway event (API key id
// "theApiKeyId") and returns the record id.
func (p *pipeline) sendOne(t *testing.T, to, subject string) string {
	t.Helper()
	payload := fixture.UpstreamEvent(t, "apigw-request.json", fixture.SendRequest(fixture.User, to, subject))
	res, err := p.send.Invoke(context.Background(), payload, 30*time.Second)
	if err != nil || res.Err != nil {
		t.Fatalf("send: %v %v", err, res.Err)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	var body struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(res.Payload, &resp) != nil || json.Unmarshal([]byte(resp.Body), &body) != nil || resp.StatusCode != 200 || body.ID == "" {
		t.Fatalf("send answered %s", res.Payload)
	}
	return body.ID
}

type published struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Data struct {
		MessageID string `json:"messageId"`
		APIKeyID  string `json:"apiKeyId"`
	} `json:"data"`
}

// busEvents returns the bus's events of message id, each checked against
// its schema and for anything that must never be in an event.
func (p *pipeline) busEvents(t *testing.T, id string, forbidden ...string) []published {
	t.Helper()
	var out []published
	for _, raw := range p.events.Published() {
		var e published
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		if e.Data.MessageID != id {
			continue
		}
		if err := p.schemas.Validate(raw); err != nil {
			t.Errorf("%s does not match its schema: %v", raw, err)
		}
		for _, f := range forbidden {
			if strings.Contains(string(raw), f) {
				t.Errorf("event %s holds %q", raw, f)
			}
		}
		out = append(out, e)
	}
	return out
}

// TestSendPublishesItsStatusEvent ensures a POST /send through the real send function becomes, through the table's stream and the real events function, exactly one message.sent event on the bus: the caller's API key id, valid against its schema, and no subject, address or password in it — with no request of the send function spent on it, and the events function's log carries its EventsPublished metric line.
func TestSendPublishesItsStatusEvent(t *testing.T) {
	p := startPipeline(t)
	id := p.sendOne(t, "events-reader@example.com", "Quarterly numbers 분기 실적")
	if err := p.events.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := p.busEvents(t, id, "Quarterly", "분기", "events-reader@example.com", fixture.Password)
	if len(got) != 1 || got[0].Type != "message.sent" || got[0].Data.APIKeyID != "theApiKeyId" {
		t.Fatalf("events of %s: %+v\nlogs:\n%s", id, got, p.logs.String())
	}
	for _, line := range strings.Split(p.logs.String(), "\n") {
		if strings.Contains(line, "Quarterly") || strings.Contains(line, fixture.Password) {
			t.Errorf("a log line holds message content or a secret: %s", line)
		}
	}
	if !p.hasSeries(t, "EventsPublished 1 Count {EventType=message.sent}") {
		t.Errorf("the events function's log has no EventsPublished line for the event:\n%s", p.logs.String())
	}
}

// hasSeries reports whether a metric line of the logs (each checked
// against the Embedded Metric Format specification) publishes want. The
// function's standard output reaches the logs through a pipe, after its
// answer may have: it waits up to 5 s for the line.
func (p *pipeline) hasSeries(t *testing.T, want string) bool {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		for _, line := range strings.Split(p.logs.String(), "\n") {
			if !emfcheck.IsEMF([]byte(line)) {
				continue
			}
			if err := emfcheck.Check([]byte(line), time.Now()); err != nil {
				t.Fatalf("%v\n%s", err, line)
			}
			ss, err := emfcheck.Decode([]byte(line))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range ss {
				if s.String() == want {
					return true
				}
			}
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// TestEventsSurviveACrashAfterPublishing ensures the promise "at least once, same id": the events function is killed (SIGKILL) while its PutEvents call is at the bus — applied, its answer never read — and the stream mapping's retry on a new sandbox publishes the event again under the same id.
func TestEventsSurviveACrashAfterPublishing(t *testing.T) {
	p := startPipeline(t)
	var crashed atomic.Bool
	p.events.Bus.FailWhere(func(deveventbridge.Event) string {
		if crashed.CompareAndSwap(false, true) {
			p.events.Crash() // the entry is accepted below; its sender is gone
		}
		return ""
	})
	id := p.sendOne(t, "events-reader@example.com", "crash point")
	if err := p.events.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := p.busEvents(t, id)
	if !crashed.Load() || len(got) < 2 {
		t.Fatalf("crashed %v; events %+v", crashed.Load(), got)
	}
	for _, e := range got {
		if e.ID != got[0].ID || e.Type != "message.sent" {
			t.Fatalf("a replay is another event: %+v", got)
		}
	}
}

// TestUpstreamStreamSampleIsNoneOfOurs ensures the events function takes aws-lambda-go's own DynamoDB stream sample (items that are not this table's kinds) without failing any record and without publishing anything.
func TestUpstreamStreamSampleIsNoneOfOurs(t *testing.T) {
	p := startPipeline(t)
	raw, err := os.ReadFile(filepath.Join(fixture.UpstreamDir(t), "dynamodb-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	before := len(p.events.Published())
	res, err := p.events.Invoke(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(res), "itemIdentifier") || len(p.events.Published()) != before {
		t.Fatalf("answered %s; published %d", res, len(p.events.Published())-before)
	}
}

// apiCall invokes the send function with API Gateway's event for method
// and resource (key id "theApiKeyId") and returns the status and body.
func (p *pipeline) apiCall(t *testing.T, method, resource, body string) (int, string) {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(fixture.UpstreamEvent(t, "apigw-request.json", body), &ev); err != nil {
		t.Fatal(err)
	}
	ev["httpMethod"], ev["resource"], ev["path"] = method, resource, resource
	payload, _ := json.Marshal(ev)
	res, err := p.send.Invoke(context.Background(), payload, 30*time.Second)
	if err != nil || res.Err != nil {
		t.Fatalf("%s %s: %v %v", method, resource, err, res.Err)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Body
}

// signedHere checks a Standard Webhooks signature with this test's own
// HMAC (not the product's code): v1,base64(HMAC-SHA256(key, id.ts.body)).
func signedHere(secret string, h http.Header, body []byte) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

// TestWebhookReceivesTheSendsEventSigned ensures the whole loop with the real binaries: a webhook registered through the real send function's POST /webhooks, a POST /send by the same API key, the table's stream through the real events function onto the webhook queue, and the delivery from that queue reaching a receiver on loopback as one message.sent, signed with the secret the registration returned (checked with this test's own HMAC), its webhook-id the event's id, no subject or address in it, and the events function's log carries its WebhookDeliveries metric line.
func TestWebhookReceivesTheSendsEventSigned(t *testing.T) {
	p := startPipeline(t)
	type hit struct {
		header http.Header
		body   []byte
	}
	hits := make(chan hit, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hits <- hit{r.Header.Clone(), b}
	}))
	t.Cleanup(receiver.Close)
	status, body := p.apiCall(t, "POST", "/webhooks", `{"url":"`+receiver.URL+`/hook","events":["message.sent"]}`)
	var reg struct{ ID, Secret string }
	if status != 201 || json.Unmarshal([]byte(body), &reg) != nil || !strings.HasPrefix(reg.Secret, "whsec_") {
		t.Fatalf("POST /webhooks: %d %s", status, body)
	}
	id := p.sendOne(t, "hook-reader@example.com", "Webhook loop 웹훅")
	if err := p.events.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []hit
	for len(hits) > 0 {
		got = append(got, <-hits)
	}
	if len(got) != 1 {
		t.Fatalf("%d deliveries reached the receiver; logs:\n%s", len(got), p.logs.String())
	}
	h := got[0]
	var e published
	if err := json.Unmarshal(h.body, &e); err != nil || e.Type != "message.sent" || e.Data.MessageID != id || e.ID != h.header.Get("webhook-id") {
		t.Fatalf("delivered %s (webhook-id %q)", h.body, h.header.Get("webhook-id"))
	}
	if !signedHere(reg.Secret, h.header, h.body) {
		t.Fatalf("the delivery is not signed with the registration's secret: %v", h.header)
	}
	if err := p.schemas.Validate(h.body); err != nil {
		t.Error(err)
	}
	if !p.hasSeries(t, "WebhookDeliveries 1 Count {Outcome=delivered, Attempt=1}") {
		t.Errorf("the events function's log has no WebhookDeliveries line for the delivery:\n%s", p.logs.String())
	}
	for _, f := range []string{"Webhook loop", "웹훅", "hook-reader@example.com", reg.Secret} {
		if strings.Contains(string(h.body), f) || strings.Contains(p.logs.String(), f) {
			t.Errorf("%q is in the delivery or a log line", f)
		}
	}
}

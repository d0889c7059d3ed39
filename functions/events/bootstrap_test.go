package main_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/deveventbridge"
	"github.com/gmailsend/gmailsend/dev/devstack"
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

func startPipeline(t *testing.T) *pipeline {
	t.Helper()
	ctx := context.Background()
	root, dir := fixture.ModuleRoot(t), t.TempDir()
	st, err := devstack.Start(devstack.Options{Dir: dir})
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
	ev, err := devstack.StartEvents(ctx, root, dir, ms.Endpoint(), st.Env(), logs)
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

// TestSendPublishesItsStatusEvent ensures a POST /send through the real send function becomes, through the table's stream and the real events function, exactly one message.sent event on the bus: the caller's API key id, valid against its schema, and no subject, address or password in it — with no request of the send function spent on it.
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

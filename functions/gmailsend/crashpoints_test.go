package main_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
)

// keyedPostSend is POST /send of body with an Idempotency-Key header, in
// the upstream API Gateway REST envelope.
func keyedPostSend(t *testing.T, body, key string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(fixture.UpstreamEvent(t, "apigw-request.json", body), &ev); err != nil {
		t.Fatal(err)
	}
	headers, _ := ev["headers"].(map[string]any)
	if headers == nil {
		headers = map[string]any{}
	}
	headers["Idempotency-Key"] = key
	ev["headers"] = headers
	delete(ev, "multiValueHeaders")
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// apiAnswer is the status and error code of an API Gateway response.
func apiAnswer(t *testing.T, res runtimeapi.Result) (int, string) {
	t.Helper()
	if res.Err != nil {
		t.Fatalf("function error %s", res.Err)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		t.Fatalf("%v: %s", err, res.Payload)
	}
	var body struct {
		Status string `json:"status"`
		Error  struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal([]byte(resp.Body), &body)
	if body.Error.Code != "" {
		return resp.StatusCode, body.Error.Code
	}
	return resp.StatusCode, body.Status
}

// TestKilledAfterContentReachedServerIsNeverSentAgain ensures a keyed POST /send whose process is killed after the SMTP server took the message (before the function heard the reply) is not sent again by a retry after the claim's lease: the retry answers delivery_unknown (at most once), and so does every later one.
func TestKilledAfterContentReachedServerIsNeverSentAgain(t *testing.T) {
	var fn atomic.Pointer[runtimeapi.Function]
	var killed atomic.Bool
	bootstrap, st := buildAndStart(t, devstack.Options{Mail: func(o *devsmtp.Options) {
		o.Reject = func(stage, arg string) error {
			if stage == "DATA" && killed.CompareAndSwap(false, true) {
				// The server has the whole message and is about to say
				// 250: the function dies before it hears it.
				fn.Load().Kill()
			}
			return nil
		}
	}})
	_, endpoint := dynalite.StartTable(t, "messages")
	env := append(st.Env(), "MESSAGES_TABLE=messages", "AWS_ENDPOINT_URL_DYNAMODB="+endpoint)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	const timeout = 3 * time.Second // the lease is this plus 5 s
	logs := new(fixture.SyncBuffer)
	start := func() *runtimeapi.Function {
		f, err := runtimeapi.StartFunction(ctx, bootstrap, env, logs, logs)
		if err != nil {
			t.Fatal(err)
		}
		fn.Store(f)
		return f
	}
	send := keyedPostSend(t, fixture.SendRequest(fixture.User, "kim@example.com", "crash after content"), "crash-after-content")

	first := start()
	began := time.Now()
	if _, err := first.Invoke(ctx, send, timeout); err == nil && !killed.Load() {
		t.Fatalf("the first invocation was not killed; logs:\n%s", logs)
	}
	if n := len(st.SMTP.Messages()); n != 1 {
		t.Fatalf("%d delivered by the killed invocation, want 1", n)
	}
	second := start()
	defer func() { second.Stop() }()
	time.Sleep(time.Until(began.Add(timeout + 6*time.Second))) // past the lease
	for i := range 2 {
		res, err := second.Invoke(ctx, send, timeout)
		if err != nil {
			t.Fatal(err)
		}
		if code, what := apiAnswer(t, res); code != 502 || what != "delivery_unknown" {
			t.Fatalf("retry %d answered %d %s, want 502 delivery_unknown; logs:\n%s", i+1, code, what, logs)
		}
	}
	if n := len(st.SMTP.Messages()); n != 1 {
		t.Fatalf("%d deliveries, want exactly 1: a retry after the lease sent again", n)
	}
	if strings.Contains(logs.String(), fixture.Password) {
		t.Fatal("the log holds the password")
	}
}

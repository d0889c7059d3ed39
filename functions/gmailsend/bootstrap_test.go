package main_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
)

// expectation is what one sample event must produce.
type expectation struct {
	messages int
	user     string // the account the first message was sent as
	check    func(t *testing.T, payload []byte)
}

func statusCode(want int) func(*testing.T, []byte) {
	return func(t *testing.T, p []byte) {
		var r struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		if err := json.Unmarshal(p, &r); err != nil || r.StatusCode != want || !strings.Contains(r.Body, `"status":"sent"`) {
			t.Fatalf("API response %s", p)
		}
	}
}

func sentResult(t *testing.T, p []byte) {
	var r struct{ Status, MessageID string }
	if err := json.Unmarshal(p, &r); err != nil || r.Status != "sent" || !strings.HasPrefix(r.MessageID, "<") {
		t.Fatalf("result %s", p)
	}
}

var expectations = map[string]expectation{
	"apigateway-rest.json":          {1, "sender@gmail.com", statusCode(200)},
	"apigateway-http.json":          {1, "sender@gmail.com", statusCode(200)},
	"direct.json":                   {1, "sender@gmail.com", sentResult},
	"direct-extended.json":          {1, "sender@gmail.com", sentResult},
	"direct-stored-credential.json": {1, "support@gmail.com", sentResult},
	"direct-oauth.json":             {1, devstack.OAuthUser, sentResult},
	// sam local invoke's sample (events/sam-local/env.json points it at
	// Mailpit); here it goes to the development server like the others.
	"direct-sam-local.json": {1, "sender@gmail.com", sentResult},
	"sqs-batch.json": {3, "sender@gmail.com", func(t *testing.T, p []byte) {
		if string(p) != `{"batchItemFailures":[]}` {
			t.Fatalf("SQS response %s", p)
		}
	}},
	"sns.json": {1, "sender@gmail.com", func(t *testing.T, p []byte) {
		if string(p) != `{"sent":1}` {
			t.Fatalf("SNS response %s", p)
		}
	}},
	"eventbridge.json": {1, "sender@gmail.com", sentResult},
	// A failed EventBridge event's destination record, redriven from the
	// dead-letter queue to the send queue: the original event is resent.
	"sqs-redrive.json": {1, "sender@gmail.com", func(t *testing.T, p []byte) {
		if string(p) != `{"batchItemFailures":[]}` {
			t.Fatalf("SQS response %s", p)
		}
	}},
}

// TestBootstrapRunsEverySampleEvent runs the real bootstrap under the local Runtime API for every file in events/ and checks what was delivered.
func TestBootstrapRunsEverySampleEvent(t *testing.T) {
	bootstrap, st := buildAndStart(t, devstack.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	logs := new(fixture.SyncBuffer)
	fn, err := runtimeapi.StartFunction(ctx, bootstrap, st.Env(), logs, logs)
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Stop()

	files, _ := filepath.Glob(filepath.Join(fixture.ModuleRoot(t), "events", "*.json"))
	sort.Strings(files)
	// The bounce reader's scheduled event is not this function's:
	// functions/bounces/loop_test.go runs it, and make run shows it.
	// The template batch needs the message table holding the sample
	// template: dev/localrun's TestMakeRunTemplateBatch runs it as make run
	// does (the table started, the template stored).
	files = slices.DeleteFunc(files, func(f string) bool {
		return filepath.Base(f) == "scheduled-bounces.json" || filepath.Base(f) == "template-batch.json"
	})
	if len(files) != len(expectations) {
		t.Fatalf("events/ has %d files, the test expects %d: add the new sample here", len(files), len(expectations))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			want, ok := expectations[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			payload, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			before := len(st.SMTP.Messages())
			res, err := fn.Invoke(ctx, payload, 30*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if res.Err != nil {
				t.Fatalf("function error %v\nlogs:\n%s", res.Err, logs)
			}
			want.check(t, res.Payload)
			got := st.SMTP.Messages()[before:]
			if len(got) != want.messages || got[0].User != want.user {
				t.Fatalf("%d messages, first as %q", len(got), got[0].User)
			}
			for _, m := range got {
				s, err := devstack.Summarize(m)
				if err != nil || s.Subject == "" || !strings.HasSuffix(s.Path, ".eml") {
					t.Fatalf("summary %+v %v", s, err)
				}
				if _, err := os.Stat(s.Path); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	// A function error travels through /error with the code as its type.
	res, err := fn.Invoke(ctx, []byte(`{"user":"sender@gmail.com","toEmails":"x@example.com"}`), 30*time.Second)
	if err != nil || res.Err == nil || res.Err.Type != "invalid_request" {
		t.Fatalf("function error %+v %v", res.Err, err)
	}
	if strings.Contains(logs.String(), "abcdefghijklmnop") || strings.Contains(logs.String(), "abcd efgh") {
		t.Fatal("a password reached the function's log")
	}
	// SIGTERM closes the kept SMTP sessions and exits cleanly.
	if st.SMTP.Stats().Open == 0 {
		t.Fatal("no SMTP session was kept between invocations")
	}
	if state := fn.Stop(); !state.Success() {
		t.Fatalf("bootstrap did not exit cleanly on SIGTERM: %v", state)
	}
	deadline := time.Now().Add(2 * time.Second)
	for st.SMTP.Stats().Open != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := st.SMTP.Stats().Open; n != 0 {
		t.Fatalf("%d SMTP connections left open after SIGTERM", n)
	}
}

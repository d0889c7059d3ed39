package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

var (
	buildOnce sync.Once
	built     string
	buildErr  error
)

// bootstrap builds the real function once for this test binary.
func bootstrap(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the bootstrap binary")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "localrun-test-")
		if err != nil {
			buildErr = err
			return
		}
		built, buildErr = devstack.BuildBootstrap(fixture.ModuleRoot(t), dir)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

// runEvent is `make run EVENT=file` with an already built bootstrap.
func runEvent(t *testing.T, name string, payload []byte) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	logs := new(syncBuffer)
	l, err := startBuilt(ctx, bootstrap(t), devstack.Options{Dir: t.TempDir()}, "", logs)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var out strings.Builder
	err = invokeOnce(ctx, l, name, payload, 30*time.Second, logs, &out)
	return out.String(), err
}

// TestMakeRunEverySample ensures `make run EVENT=…` works for every file in events/, printing log, response and deliveries in that order, without \u003c escapes.
func TestMakeRunEverySample(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(fixture.ModuleRoot(t), "events", "*.json"))
	// The bounce reader's scheduled event is not for the send function:
	// make run runs its own demo for it (bounces.go, tested there).
	files = slices.DeleteFunc(files, func(f string) bool { return filepath.Base(f) == "scheduled-bounces.json" })
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("no samples")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			payload, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out, err := runEvent(t, "events/"+filepath.Base(f), payload)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			log, resp, delivered := strings.Index(out, "== function log\n"), strings.Index(out, "\n== response to events/"), strings.Index(out, " message(s) delivered")
			if log != 0 || resp < log || delivered < resp {
				t.Fatalf("sections out of order:\n%s", out)
			}
			if !strings.Contains(out[log:resp], `"outcome":"sent"`) || strings.Contains(out[resp:], `"msg":"send"`) {
				t.Fatalf("log lines not confined to the log section:\n%s", out)
			}
			if strings.Contains(out, `\u003c`) || strings.Contains(out, "0 message(s) delivered") || strings.Contains(out, "login was refused") {
				t.Fatalf("%s", out)
			}
		})
	}
}

// TestMakeRunListsLocalAccountsOnRefusedLogin ensures a request with an address the local server does not know prints the local accounts and stored credentials.
func TestMakeRunListsLocalAccountsOnRefusedLogin(t *testing.T) {
	out, err := runEvent(t, "my-request.json", []byte(`{"user":"me@gmail.com","password":"abcd efgh ijkl mnop","toEmail":"kim@example.com","subject":"hi","message":"<p>hi</p>"}`))
	if err == nil {
		t.Fatal("a refused login was reported as success")
	}
	if strings.Contains(out, "smtp_auth_failed: smtp_auth_failed") {
		t.Errorf("the code is repeated:\n%s", out)
	}
	for _, want := range []string{"function error smtp_auth_failed", "== a login was refused locally", "sender@gmail.com", "support-desk", "oauth-desk", "-smtp smtp.gmail.com:587"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestPrettyKeepsAngleBrackets ensures a Message-ID prints as <…> and an API Gateway body is shown as JSON.
func TestPrettyKeepsAngleBrackets(t *testing.T) {
	got := pretty([]byte(`{"statusCode":200,"body":"{\"status\":\"sent\",\"messageId\":\"<a.b@gmail.com>\"}"}`))
	if !strings.Contains(got, `"messageId": "<a.b@gmail.com>"`) || strings.Contains(got, `\u003c`) {
		t.Fatalf("%s", got)
	}
	if pretty([]byte("not json")) != "not json" {
		t.Fatal("non-JSON changed")
	}
}

// TestMakeRunTemplateBatch ensures `make run EVENT=events/template-batch.json` delivers three messages rendered from the sample template make run stores (docs/booking.json), each to its own recipient with its own values in the subject, Hangul intact (the escaping by context is TestTemplateSendEscapesByContext's).
func TestMakeRunTemplateBatch(t *testing.T) {
	payload, err := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), "events", "template-batch.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := runEvent(t, "events/template-batch.json", payload)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "3 message(s) delivered") {
		t.Fatalf("not three delivered:\n%s", out)
	}
	for to, subject := range map[string]string{
		"kim@example.com":  "예약 확인: 김민수님, 12월 24일 19:00",
		"lee@example.com":  "예약 확인: 이서연님, 12월 25일 12:30",
		"park@example.com": `예약 확인: Park <Ji-ho> & "friends"님, 12월 26일 18:00`,
	} {
		_, after, found := strings.Cut(out, "To:       "+to+"\n")
		next, _, _ := strings.Cut(after, "\n")
		if !found || strings.TrimSpace(next) != "Subject:  "+subject {
			t.Errorf("%s did not get %q:\n%s", to, subject, out)
		}
	}
}

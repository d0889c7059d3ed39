package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// serveWithUnsubscribe is `make serve` on a loopback port: the real
// bootstrap with the local table and queue, its unsubscribe links pointing
// at that port. It returns the endpoint's base URL.
func serveWithUnsubscribe(t *testing.T) (*local, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	offerQueuedRoutes, unsubscribeBase = true, base
	l, err := startBuilt(ctx, bootstrap(t), devstack.Options{Dir: t.TempDir()}, "", io.Discard)
	offerQueuedRoutes, unsubscribeBase = false, ""
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	if l.queue == nil {
		ln.Close()
		if os.Getenv("CI") == "true" {
			t.Fatal("dynalite is not available (CI=true: run make node-deps)")
		}
		t.Skip("dynalite is not available here (make node-deps)")
	}
	srv := &http.Server{Handler: apiHandler(l, 30*time.Second, io.Discard), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l, base
}

// sendSample POSTs events/direct.json (with extra fields) to base/send.
func sendSample(t *testing.T, base string, extra map[string]any) (int, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), "events", "direct.json"))
	if err != nil {
		t.Fatal(err)
	}
	var req map[string]any
	_ = json.Unmarshal(raw, &req)
	for k, v := range extra {
		req[k] = v
	}
	body, _ := json.Marshal(req)
	resp, err := http.Post(base+"/send", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// unsubscribeLink sends the sample with "unsubscribe": true and returns
// the List-Unsubscribe URL of the delivered message.
func unsubscribeLink(t *testing.T, l *local, base string) string {
	t.Helper()
	if code, body := sendSample(t, base, map[string]any{"unsubscribe": true}); code != 200 {
		t.Fatalf("send → %d %s", code, body)
	}
	msgs := l.stack.SMTP.Messages()
	m, err := mail.ReadMessage(bytes.NewReader(msgs[len(msgs)-1].Data))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe-Post %q", got)
	}
	lu := m.Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(lu, "<"+base+"/unsubscribe/") || !strings.HasSuffix(lu, ">") {
		t.Fatalf("List-Unsubscribe %q", lu)
	}
	return strings.Trim(lu, "<>")
}

// TestServeUnsubscribeLink ensures, with the real bootstrap behind `make serve`, the link of a delivered message shows its page on GET without unsubscribing, and a POST (as a mail provider sends it) suppresses the recipient for the next send.
func TestServeUnsubscribeLink(t *testing.T) {
	l, base := serveWithUnsubscribe(t)
	link := unsubscribeLink(t, l, base)
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `<form method="post">`) {
		t.Fatalf("GET → %d %s", resp.StatusCode, page)
	}
	if code, body := sendSample(t, base, nil); code != 200 {
		t.Fatalf("send after GET → %d %s (a GET must not unsubscribe)", code, body)
	}
	resp, err = http.Post(link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST → %d", resp.StatusCode)
	}
	if code, body := sendSample(t, base, nil); code != 422 || !strings.Contains(body, "recipient_suppressed") {
		t.Fatalf("send after POST → %d %s", code, body)
	}
}

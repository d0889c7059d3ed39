package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// curlRequest turns a curl line of the docs (-X, -H, -d @file or -d 'json')
// into the request curl would send to base instead of the line's host.
func curlRequest(t *testing.T, line, base string) *http.Request {
	t.Helper()
	args := regexp.MustCompile(`'[^']*'|"[^"]*"|\S+`).FindAllString(line, -1)
	unquote := func(s string) string { return strings.Trim(s, `'"`) }
	method, url, body := "GET", "", ""
	var headers []string
	for i := 1; i < len(args); i++ {
		switch a := args[i]; a {
		case "-X":
			i++
			method = args[i]
		case "-H":
			i++
			headers = append(headers, unquote(args[i]))
		case "-d":
			i++
			d := unquote(args[i])
			if strings.HasPrefix(d, "@") {
				b, err := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), d[1:]))
				if err != nil {
					t.Fatal(err)
				}
				d = string(b)
			}
			body = d
		default:
			url = unquote(a)
		}
	}
	url = regexp.MustCompile(`^https?://[^/]+`).ReplaceAllString(url, base)
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	return req
}

// TestMakeServeAnswersREADMECurl ensures the README's curl line against `make serve` sends the sample and gets 200 "sent", and the request is reported with what was delivered.
func TestMakeServeAnswersREADMECurl(t *testing.T) {
	line := regexp.MustCompile(`(?m)^curl -X POST http://127\.0\.0\.1:3000/send .*$`).FindString(fixture.Doc(t, "README.md"))
	if line == "" {
		t.Fatal("README shows no curl line for make serve")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := startBuilt(ctx, bootstrap(t), devstack.Options{Dir: t.TempDir()}, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	report := new(syncBuffer)
	srv := httptest.NewServer(apiHandler(l, 30*time.Second, report))
	defer srv.Close()
	resp, err := http.DefaultClient.Do(curlRequest(t, line, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status":"sent"`) || !strings.Contains(string(body), `"messageId":"<`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if r := report.String(); !strings.Contains(r, "── POST /send → 200") || !strings.Contains(r, "envelope: sender@gmail.com → kim@example.com") {
		t.Fatalf("report:\n%s", r)
	}
	// An unknown route is API Gateway's 404/405, not a function call.
	resp, err = http.Get(srv.URL + "/nope")
	if err != nil || resp.StatusCode/100 != 4 {
		t.Fatalf("%v %v", resp, err)
	}
}

// TestServeStopsCleanly ensures cancelling serve (Ctrl-C) lets a request in flight finish, closes the listener and returns without error.
func TestServeStopsCleanly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The development server answers slowly, so a request is still in
	// flight when serve is told to stop.
	l, err := startBuilt(ctx, bootstrap(t), devstack.Options{Dir: t.TempDir(), RTT: 100 * time.Millisecond}, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stop := context.WithCancel(ctx)
	report := new(syncBuffer)
	done := make(chan error, 1)
	go func() { done <- serveOn(serveCtx, l, ln, 30*time.Second, report) }()
	body, _ := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), "events", "direct.json"))
	reply := make(chan int, 1)
	go func() {
		resp, err := http.Post("http://"+ln.Addr().String()+"/send", "application/json", strings.NewReader(string(body)))
		if err != nil {
			reply <- 0
			return
		}
		resp.Body.Close()
		reply <- resp.StatusCode
	}()
	time.Sleep(300 * time.Millisecond)
	stop()
	if code := <-reply; code != 200 {
		t.Fatalf("the request in flight got %d", code)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after cancel")
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Fatal("still listening after stop")
	}
	if r := report.String(); !strings.Contains(r, "stopping: finishing requests in flight") || !strings.HasSuffix(r, "stopped\n") {
		t.Fatalf("report:\n%s", r)
	}
}

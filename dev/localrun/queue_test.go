package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestMakeServeQueuesAndDelivers ensures docs/api.md's POST /messages curl line works against `make serve`: the real bootstrap, with the real SDK clients pointed at the local table, queue and scheduler, answers 202, the local event source mapping delivers the message, and GET /messages/{id} then says sent.
func TestMakeServeQueuesAndDelivers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	offerQueuedRoutes = true
	defer func() { offerQueuedRoutes = false }()
	l, err := startBuilt(ctx, bootstrap(t), devstack.Options{Dir: t.TempDir()}, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.queue == nil {
		t.Skip("dynalite is not available here")
	}
	report := new(syncBuffer)
	go l.consumeQueue(ctx, 30*time.Second, report)
	srv := httptest.NewServer(apiHandler(l, 30*time.Second, report))
	defer srv.Close()
	line := regexp.MustCompile(`(?m)^curl -X POST http://127\.0\.0\.1:3000/messages .*$`).FindString(fixture.Doc(t, "docs/api.md"))
	if line == "" {
		t.Fatal("docs/api.md shows no curl line for POST /messages against make serve")
	}
	resp, err := http.DefaultClient.Do(curlRequest(t, line, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var acc struct{ ID, Status string }
	_ = json.Unmarshal(raw, &acc)
	if resp.StatusCode != 202 || acc.Status != "queued" {
		t.Fatalf("POST /messages → %d %s", resp.StatusCode, raw)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(srv.URL + "/messages/" + acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(raw), `"status":"sent"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /messages/%s → %d %s\nreport:\n%s", acc.ID, resp.StatusCode, raw, report.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r := report.String(); !strings.Contains(r, "── queue batch of 1 → 0 to retry") || !strings.Contains(r, "kim@example.com") {
		t.Fatalf("report:\n%s", r)
	}
}

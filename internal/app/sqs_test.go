package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
)

func failedIDs(t *testing.T, out any) []string {
	t.Helper()
	resp, ok := out.(events.SQSEventResponse)
	if !ok {
		t.Fatalf("not an SQS batch response: %#v", out)
	}
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	sort.Strings(ids)
	return ids
}

// subjects lists the subjects delivered, to check each record arrived exactly once.
func subjects(srv *devsmtp.Server) map[string]int {
	out := map[string]int{}
	for _, m := range srv.Messages() {
		for _, line := range strings.Split(string(m.Data), "\r\n") {
			if strings.HasPrefix(line, "Subject: ") {
				out[strings.TrimPrefix(line, "Subject: ")]++
			}
		}
	}
	return out
}

// TestBatchOneSessionPerAccount ensures 10 records across 2 accounts open exactly 2 connections and deliver 10 messages.
func TestBatchOneSessionPerAccount(t *testing.T) {
	h := newHarness(t, setup{})
	var bodies []string
	for i := 0; i < 10; i++ {
		user := fixture.User
		if i%2 == 1 {
			user = fixture.User2
		}
		bodies = append(bodies, fixture.SendRequest(user, "kim@example.com", fmt.Sprintf("record-%d", i)))
	}
	out, err := h.invoke(t, fixture.SQSEvent(t, bodies...))
	if err != nil {
		t.Fatal(err)
	}
	if ids := failedIDs(t, out); len(ids) != 0 {
		t.Fatalf("failures %v", ids)
	}
	st := h.srv.Stats()
	if st.Connections != 2 || st.Messages != 10 {
		t.Fatalf("%+v", st)
	}
	if got := subjects(h.srv); len(got) != 10 {
		t.Fatalf("subjects %v", got)
	}
}

// TestBatchReportsExactlyTheFailures ensures an invalid and an auth-failing record are the only ones reported, and logged with their codes.
func TestBatchReportsExactlyTheFailures(t *testing.T) {
	h := newHarness(t, setup{})
	bodies := []string{
		fixture.SendRequest(fixture.User, "a@example.com", "ok-0"),
		`{"user":"sender@gmail.com","password":"x","toEmail":"not-an-address","subject":"s","message":"m"}`,
		fixture.SendRequest(fixture.User, "a@example.com", "ok-2"),
		`{"user":"sender@gmail.com","password":"wrong-password","toEmail":"a@example.com","subject":"s","message":"m"}`,
		fixture.SendRequest(fixture.User, "a@example.com", "ok-4"),
	}
	out, err := h.invoke(t, fixture.SQSEvent(t, bodies...))
	if err != nil {
		t.Fatal(err)
	}
	if ids := strings.Join(failedIDs(t, out), ","); ids != "msg-1,msg-3" {
		t.Fatalf("reported %s", ids)
	}
	if got := subjects(h.srv); len(got) != 3 || got["ok-0"] != 1 || got["ok-4"] != 1 {
		t.Fatalf("delivered %v", got)
	}
	outcomes := logOutcomes(t, h.log.String())
	want := map[string]string{"msg-0": "sent", "msg-1": "invalid_request", "msg-2": "sent", "msg-3": "smtp_auth_failed", "msg-4": "sent"}
	for id, o := range want {
		if outcomes[id] != o {
			t.Fatalf("log line of %s: outcome %q, want %q", id, outcomes[id], o)
		}
	}
}

// logOutcomes maps each logged itemId to its outcome code.
func logOutcomes(t *testing.T, log string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var l struct {
			ItemID  string `json:"itemId"`
			Outcome string `json:"outcome"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out[l.ItemID] = l.Outcome
	}
	return out
}

// TestBatchSurvivesDroppedConnection ensures a server dropping the connection after 3 messages loses and duplicates nothing.
func TestBatchSurvivesDroppedConnection(t *testing.T) {
	for _, pipelining := range []bool{true, false} {
		t.Run(fmt.Sprintf("pipelining=%v", pipelining), func(t *testing.T) {
			h := newHarness(t, setup{SMTP: devsmtp.Options{DropAfter: 3}, Config: func(c *app.Config) { c.SMTPPipelining = pipelining }})
			var bodies []string
			for i := 0; i < 10; i++ {
				bodies = append(bodies, fixture.SendRequest(fixture.User, "a@example.com", fmt.Sprintf("r%d", i)))
			}
			out, err := h.invoke(t, fixture.SQSEvent(t, bodies...))
			if err != nil {
				t.Fatal(err)
			}
			failed := failedIDs(t, out)
			got := subjects(h.srv)
			for i := 0; i < 10; i++ {
				id, subj := fmt.Sprintf("msg-%d", i), fmt.Sprintf("r%d", i)
				reported := contains(failed, id)
				if got[subj] > 1 || (got[subj] == 1) == reported {
					t.Fatalf("record %d delivered %d times, reported %v", i, got[subj], reported)
				}
			}
			if len(failed) != 0 {
				t.Fatalf("redial should have delivered everything; reported %v", failed)
			}
			if st := h.srv.Stats(); st.Connections != 4 {
				t.Fatalf("connections %d", st.Connections)
			}
		})
	}
}

// TestBatchStopsBeforeDeadline ensures records not started before the reserve are reported, and none is both sent and reported.
func TestBatchStopsBeforeDeadline(t *testing.T) {
	h := newHarness(t, setup{SMTP: devsmtp.Options{RTT: 40 * time.Millisecond}, Config: func(c *app.Config) { c.BatchReserve = 300 * time.Millisecond }})
	// More records than fit in the time: with CHUNKING a warm send is one
	// 40 ms round trip, so 40 records need about 1.6 s of the 1.2 s left.
	const records = 40
	var bodies []string
	for i := 0; i < records; i++ {
		bodies = append(bodies, fixture.SendRequest(fixture.User, "a@example.com", fmt.Sprintf("r%d", i)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "deadline"})
	out, err := h.app.Handler.Invoke(ctx, fixture.SQSEvent(t, bodies...))
	if err != nil {
		t.Fatal(err)
	}
	failed := failedIDs(t, out)
	got := subjects(h.srv)
	if len(failed) == 0 || len(got) == 0 {
		t.Fatalf("want some sent and some reported: sent %d reported %d", len(got), len(failed))
	}
	for i := 0; i < records; i++ {
		sent, reported := got[fmt.Sprintf("r%d", i)] == 1, contains(failed, fmt.Sprintf("msg-%d", i))
		if sent == reported {
			t.Fatalf("record %d: sent=%v reported=%v", i, sent, reported)
		}
	}
	t.Logf("sent %d, reported %d for retry", len(got), len(failed))
}

// TestEventBridgeAndSNS ensure both deliver, and a failure is a function error (so Lambda retries and the failure destination apply).
func TestEventBridgeAndSNS(t *testing.T) {
	h := newHarness(t, setup{})
	good := fixture.SendRequest(fixture.User, "a@example.com", "via-sns")
	if _, err := h.invoke(t, fixture.UpstreamEvent(t, "sns-event.json", good)); err != nil {
		t.Fatal(err)
	}
	bad := `{"user":"sender@gmail.com","password":"wrong","toEmail":"a@example.com","subject":"s","message":"m"}`
	if _, err := h.invoke(t, fixture.UpstreamEvent(t, "sns-event.json", bad)); functionErrorType(err) != "smtp_auth_failed" {
		t.Fatalf("sns failure: %v", err)
	}
	eb := func(detail string) []byte {
		return []byte(`{"version":"0","id":"eb-1","detail-type":"gmailsend.SendRequested","source":"com.example.orders",` +
			`"account":"123456789012","time":"2026-11-22T00:00:00Z","region":"ap-northeast-2","resources":[],"detail":` + detail + `}`)
	}
	if _, err := h.invoke(t, eb(fixture.SendRequest(fixture.User, "a@example.com", "via-eventbridge"))); err != nil {
		t.Fatal(err)
	}
	if _, err := h.invoke(t, eb(`{"user":"sender@gmail.com"}`)); functionErrorType(err) != "invalid_request" {
		t.Fatalf("eventbridge failure: %v", err)
	}
	if got := subjects(h.srv); got["via-sns"] != 1 || got["via-eventbridge"] != 1 || len(got) != 2 {
		t.Fatalf("%v", got)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

package main_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/bounce"
)

var scheduled = []byte(`{"version":"0","id":"5c8e3f1a-0000-4000-8000-000000000001","detail-type":"Scheduled Event","source":"aws.events",` +
	`"account":"123456789012","time":"2026-11-23T20:00:00Z","region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:rule/gmailsend-bounces"],"detail":{}}`)

// TestBounceLoop ensures, with both real bootstrap binaries: sends to
// bounce-domain addresses from an app-password account and an OAuth
// account, the notifications arriving in each sender's IMAP INBOX, one
// scheduled run marking both records bounced and suppressing both
// addresses, the next send to them refused (422 recipient_suppressed,
// nothing sent) through every event source, the suppression routes, and a
// second run finding nothing new.
func TestBounceLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two bootstrap binaries")
	}
	st := startStack(t)
	nobody, disabled := "nobody@"+devsmtp.BounceDomain, "disabled-1@"+devsmtp.BounceDomain

	var ids []string
	for _, r := range []string{request("desk", nobody), request("oauth-desk", disabled)} {
		out, code := invoke(t, st.send, []byte(r))
		var res struct{ Status, ID string }
		if code != "" || json.Unmarshal([]byte(out), &res) != nil || res.Status != "sent" || !gmailsend.ValidID(res.ID) {
			t.Fatalf("send: %s %s\n%s", out, code, st.sendLogs)
		}
		ids = append(ids, res.ID)
	}
	for _, acct := range []string{fixture.User, oauthUser} {
		if n, _ := st.imap.Count(acct, "INBOX"); n != 1 {
			t.Fatalf("%s has %d notifications", acct, n)
		}
	}

	out, code := invoke(t, st.bounces, scheduled)
	var sum struct {
		Accounts []struct {
			Account                    string
			Bounced, Suppressed, Found int
			Error                      string
		}
	}
	if code != "" || json.Unmarshal([]byte(out), &sum) != nil || len(sum.Accounts) != 2 {
		t.Fatalf("bounce run: %s %s\n%s", out, code, st.readLogs)
	}
	for _, a := range sum.Accounts {
		if a.Error != "" || a.Bounced != 1 || a.Suppressed != 1 {
			t.Fatalf("account %+v\n%s", a, st.readLogs)
		}
	}
	for i, id := range ids {
		rec, err := st.table.Get(t.Context(), id)
		if err != nil || rec.Status != gmailsend.StatusBounced {
			t.Fatalf("record %s: %+v %v", id, rec, err)
		}
		mark := rec.Bounces[bounce.AddressHash([]string{nobody, disabled}[i])]
		if want := []string{"5.1.1", "5.2.1"}[i]; mark.Action != "bounced" || mark.Status != want || !strings.Contains(mark.Diagnostic, want) {
			t.Errorf("record %s bounces %+v", id, rec.Bounces)
		}
	}

	// The next send to a suppressed address, through each source.
	before := len(st.smtp.Messages())
	body := request("desk", nobody)
	if _, code := invoke(t, st.send, []byte(body)); code != "recipient_suppressed" {
		t.Errorf("direct: %q", code)
	}
	for name, ev := range map[string][]byte{
		"REST API": restEvent(t, "POST", "/send", "/send", nil, nil, body),
		"HTTP API": fixture.UpstreamEvent(t, "apigw-v2-request-no-authorizer.json", body),
	} {
		out, _ := invoke(t, st.send, ev)
		if status, b := statusOf(t, out); status != 422 || !strings.Contains(b, `"recipient_suppressed"`) || !strings.Contains(b, `"field":"toEmail[0]"`) {
			t.Errorf("%s: %d %s", name, status, b)
		}
	}
	if out, _ := invoke(t, st.send, fixture.SQSEvent(t, body)); out != `{"batchItemFailures":[{"itemIdentifier":"msg-0"}]}` {
		t.Errorf("SQS: %s", out)
	}
	if _, code := invoke(t, st.send, fixture.UpstreamEvent(t, "sns-event.json", body)); code != "recipient_suppressed" {
		t.Errorf("SNS: %q", code)
	}
	eb, _ := json.Marshal(map[string]any{"version": "0", "id": "e1", "detail-type": "gmailsend.SendRequested", "source": "my.app",
		"account": "123456789012", "time": "2026-11-23T20:00:00Z", "region": "us-east-1", "resources": []string{}, "detail": json.RawMessage(body)})
	if _, code := invoke(t, st.send, eb); code != "recipient_suppressed" {
		t.Errorf("EventBridge: %q", code)
	}
	if n := len(st.smtp.Messages()); n != before {
		t.Fatalf("%d messages went out to a suppressed address", n-before)
	}

	// The routes.
	route := func(method, address, credential string) (int, string) {
		t.Helper()
		out, _ := invoke(t, st.send, restEvent(t, method, "/suppressions/{address}", "/suppressions/"+address,
			map[string]string{"address": address}, map[string]string{"credential": credential}, ""))
		return statusOf(t, out)
	}
	if status, b := route("GET", nobody, "desk"); status != 200 || !strings.Contains(b, `"reason":"bounce"`) || !strings.Contains(b, `"status":"5.1.1"`) || !strings.Contains(b, ids[0]) {
		t.Errorf("GET: %d %s", status, b)
	}
	if status, b := route("GET", nobody, "oauth-desk"); status != 404 || !strings.Contains(b, "suppression_not_found") {
		t.Errorf("GET on another account's list: %d %s", status, b)
	}
	if status, b := route("DELETE", strings.Replace(nobody, "@", "%40", 1), "desk"); status != 204 {
		t.Errorf("DELETE: %d %s", status, b)
	}
	if out, code := invoke(t, st.send, []byte(body)); code != "" || !strings.Contains(out, `"sent"`) {
		t.Errorf("send after DELETE: %s %s", out, code)
	}
	if status, b := route("PUT", "kim@example.com", "desk"); status != 201 || !strings.Contains(b, `"reason":"manual"`) {
		t.Errorf("PUT: %d %s", status, b)
	}
	if status, _ := route("PUT", "kim@example.com", "desk"); status != 200 {
		t.Errorf("second PUT: %d", status)
	}
	if _, code := invoke(t, st.send, []byte(request("desk", "kim@example.com"))); code != "recipient_suppressed" {
		t.Errorf("send after PUT: %q", code)
	}
	if status, b := route("GET", "not-an-address", "desk"); status != 400 || !strings.Contains(b, `"field":"address"`) {
		t.Errorf("GET of a non-address: %d %s", status, b)
	}

	// A second run reads the new notification (the send after DELETE
	// bounced again) and nothing else.
	out, code = invoke(t, st.bounces, scheduled)
	if code != "" || !strings.Contains(out, `"found":1`) || !strings.Contains(out, `"found":0`) {
		t.Errorf("second run: %s %s", out, code)
	}
	logs := st.sendLogs.String() + st.readLogs.String()
	for _, secret := range []string{fixture.Password, "1//refresh-e2e", "csecret", "ya29.", "회의"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs contain %q", secret)
		}
	}
	// Records, checkpoints and suppression entries hold no address (only
	// a record's messageId has an @), password, token or subject.
	if n := dynalite.CheckNoSecrets(t, st.dynamo, "messages", []string{fixture.Password, "1//refresh-e2e", "csecret", "ya29.", "회의", "nobody", "disabled-1"}); n < 6 {
		t.Errorf("scanned only %d items", n)
	}
	if strings.Contains(st.readLogs.String(), devsmtp.BounceDomain) {
		t.Errorf("the bounce reader logged an address:\n%s", st.readLogs)
	}
}

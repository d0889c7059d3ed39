package main_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestForgedBounceChangesNothing ensures, with both real bootstrap
// binaries, the issue's attack fails: after a real send to kim, a
// recipient mails the sending inbox the issue's forged notification (a
// "mailer-daemon fan club" display name, multipart/mixed, the message's
// Message-ID, Final-Recipient ceo@bigcustomer.example, 5.1.1) and a
// perfect imitation of Gmail's naming the same stranger; the scheduled run
// bounces and suppresses no one, the record stays sent, the imitation is
// counted as not_recipient, and the next send to ceo@bigcustomer.example
// goes out.
func TestForgedBounceChangesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two bootstrap binaries")
	}
	st := startStack(t)
	const ceo = "ceo@bigcustomer.example"
	out, code := invoke(t, st.send, []byte(request("desk", "kim@example.com")))
	var sent struct{ Status, ID, MessageID string }
	if code != "" || json.Unmarshal([]byte(out), &sent) != nil || sent.Status != "sent" || sent.MessageID == "" {
		t.Fatalf("send: %s %s\n%s", out, code, st.sendLogs)
	}

	issue := "From: \"mailer-daemon fan club\" <prankster@evil.example>\r\nTo: " + fixture.User + "\r\n" +
		"Subject: Delivery Status Notification (Failure)\r\nMessage-ID: <prank.1@evil.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=f\r\n\r\n--f\r\nContent-Type: text/plain\r\n\r\nYour message bounced.\r\n" +
		"--f\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; evil.example\r\n\r\n" +
		"Final-Recipient: rfc822; " + ceo + "\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
		"--f\r\nContent-Type: message/rfc822\r\n\r\nMessage-ID: " + sent.MessageID + "\r\nSubject: hi\r\n\r\nhi\r\n--f--\r\n"
	imitation := "Return-Path: <>\r\nFrom: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\nTo: " + fixture.User + "\r\n" +
		"Subject: Delivery Status Notification (Failure)\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n" +
		"--r\r\nContent-Type: text/plain\r\n\r\nAddress not found\r\n" +
		"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; googlemail.com\r\n\r\n" +
		"Final-Recipient: rfc822; " + ceo + "\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
		"--r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: " + sent.MessageID + "\r\n--r--\r\n"
	for _, raw := range []string{issue, imitation} {
		if _, err := st.imap.Append(fixture.User, []byte(raw), time.Time{}); err != nil {
			t.Fatal(err)
		}
	}

	out, code = invoke(t, st.bounces, scheduled)
	var sum struct {
		Accounts []struct {
			Account                    string
			Found, Bounced, Suppressed int
			Skipped                    map[string]int
			Error                      string
		}
	}
	if code != "" || json.Unmarshal([]byte(out), &sum) != nil || len(sum.Accounts) != 2 {
		t.Fatalf("bounce run: %s %s\n%s", out, code, st.readLogs)
	}
	desk := sum.Accounts[0]
	if desk.Account != "desk" || desk.Error != "" || desk.Found != 1 || desk.Bounced != 0 || desk.Suppressed != 0 || desk.Skipped["not_recipient"] != 1 {
		t.Fatalf("desk's run %+v (only the imitation names the daemon's address)\n%s", desk, st.readLogs)
	}
	if rec, err := st.table.Get(t.Context(), sent.ID); err != nil || rec.Status != gmailsend.StatusSent || len(rec.Bounces) != 0 {
		t.Fatalf("record: %+v %v", rec, err)
	}
	if out, code := invoke(t, st.send, []byte(request("desk", ceo))); code != "" || !strings.Contains(out, `"sent"`) {
		t.Errorf("the next send to %s: %s %s", ceo, out, code)
	}
}

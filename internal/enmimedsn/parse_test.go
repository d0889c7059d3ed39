package enmimedsn

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/internal/bounce"
)

func readSample(tb testing.TB, name string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// TestParseSamples ensures Gmail's and Postfix's real-shaped notifications
// yield the original's Message-ID and each recipient's action, status,
// outcome, suppression and an address-free diagnostic.
func TestParseSamples(t *testing.T) {
	tests := []struct {
		file      string
		messageID string
		want      []bounce.Recipient
		outcomes  []bounce.Outcome
		suppress  []bool
	}{
		{
			file:      "gmail-failure.eml",
			messageID: "<mwshigyo.b9e81e03169fd21d7a5c4335749f9a3d@gmail.com>",
			want: []bounce.Recipient{{Address: "nobody@example.com", Action: "failed", Status: "5.1.1",
				Diagnostic: "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. For more information, go to 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser a640c23a62f3a-a9a0f2b1e7dsi1234567.4 - gsmtp"}},
			outcomes: []bounce.Outcome{bounce.Bounced},
			suppress: []bool{true},
		},
		{
			file:      "postfix-failed.eml",
			messageID: "<mwsk2b1q.0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f@gmail.com>",
			want: []bounce.Recipient{{Address: "gone@example.net", Action: "failed", Status: "5.2.1",
				Diagnostic: "smtp; 550 5.2.1 <address>: Recipient address rejected: Mailbox disabled"}},
			outcomes: []bounce.Outcome{bounce.Bounced},
			suppress: []bool{true},
		},
		{
			file:      "postfix-multi-recipient.eml",
			messageID: "<mwsl9x0p.77aa88bb99cc00dd11ee22ff33aa44bb@gmail.com>",
			want: []bounce.Recipient{
				{Address: "nouser@example.org", Action: "failed", Status: "5.1.1",
					Diagnostic: "smtp; 550 5.1.1 <address>: Recipient address rejected: User unknown in virtual mailbox table"},
				{Address: "slow@example.com", Action: "delayed", Status: "4.4.1",
					Diagnostic: "X-Postfix; connect to mail.example.com[192.0.2.33]:25: Connection timed out"},
			},
			outcomes: []bounce.Outcome{bounce.Bounced, bounce.Delayed},
			suppress: []bool{true, false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			n, err := Parse(readSample(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if n.MessageID != tt.messageID {
				t.Errorf("MessageID = %q, want %q", n.MessageID, tt.messageID)
			}
			if len(n.Recipients) != len(tt.want) {
				t.Fatalf("%d recipients, want %d: %+v", len(n.Recipients), len(tt.want), n.Recipients)
			}
			for i, r := range n.Recipients {
				if r != tt.want[i] {
					t.Errorf("recipient %d = %+v\nwant %+v", i, r, tt.want[i])
				}
				if r.Outcome() != tt.outcomes[i] || r.Suppress() != tt.suppress[i] {
					t.Errorf("recipient %d: outcome %q suppress %v, want %q %v", i, r.Outcome(), r.Suppress(), tt.outcomes[i], tt.suppress[i])
				}
			}
		})
	}
}

// TestParseNoMessageID ensures a report whose original has no Message-ID
// is reported as bounce.ErrNoMessageID (counted and skipped, not a failure).
func TestParseNoMessageID(t *testing.T) {
	n, err := Parse(readSample(t, "no-message-id.eml"))
	if !errors.Is(err, bounce.ErrNoMessageID) {
		t.Fatalf("err = %v, want bounce.ErrNoMessageID", err)
	}
	if n.MessageID != "" {
		t.Errorf("MessageID = %q", n.MessageID)
	}
}

// TestParseGmailFallsBackToOriginalMessageIDField ensures Gmail's
// X-Original-Message-ID is used when the returned original is absent.
func TestParseGmailFallsBackToOriginalMessageIDField(t *testing.T) {
	raw := readSample(t, "gmail-failure.eml")
	cut := bytes.Index(raw, []byte("--000000000000a1b2c3062a9f0e11\r\nContent-Type: message/rfc822"))
	if cut < 0 {
		t.Fatal("sample changed")
	}
	raw = append(raw[:cut:cut], "--000000000000a1b2c3062a9f0e11--\r\n"...)
	n, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if n.MessageID != "<mwshigyo.b9e81e03169fd21d7a5c4335749f9a3d@gmail.com>" {
		t.Errorf("MessageID = %q", n.MessageID)
	}
}

// TestParseRejectsNonReports ensures ordinary mail and reports with no
// usable recipient are bounce.ErrNotReport.
func TestParseRejectsNonReports(t *testing.T) {
	for name, raw := range map[string]string{
		"plain":        "From: mailer-daemon@example.com\r\nSubject: hi\r\n\r\nhello\r\n",
		"empty":        "",
		"no recipient": "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n",
	} {
		if _, err := Parse([]byte(raw)); !errors.Is(err, bounce.ErrNotReport) {
			t.Errorf("%s: err = %v, want bounce.ErrNotReport", name, err)
		}
	}
}

// TestParseOnlyTopLevelReports ensures the status part counts only as a
// part of a top-level multipart/report of type delivery-status: a report
// nested in multipart/mixed or forwarded as message/rfc822, another
// report type, a status part inside a subpart, or mixed content holding a
// status part is bounce.ErrNotReport.
func TestParseOnlyTopLevelReports(t *testing.T) {
	status := "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\nX-Original-Message-ID: <m.1@gmail.com>\r\n\r\n" +
		"Final-Recipient: rfc822; ceo@bigcustomer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
	report := func(typ string) string {
		return "Content-Type: multipart/report; report-type=" + typ + "; boundary=r\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nx\r\n--r\r\n" + status + "--r--\r\n"
	}
	if n, err := Parse([]byte(report("delivery-status"))); err != nil || n.MessageID != "<m.1@gmail.com>" {
		t.Fatalf("the top-level report itself: %+v %v", n, err)
	}
	for name, raw := range map[string]string{
		"report in multipart/mixed":  "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nsee below\r\n--m\r\n" + report("delivery-status") + "--m--\r\n",
		"report forwarded":           "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: message/rfc822\r\n\r\nFrom: mailer-daemon@googlemail.com\r\n" + report("delivery-status") + "--m--\r\n",
		"status part in mixed":       "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nx\r\n--m\r\n" + status + "--m--\r\n",
		"another report type":        report("disposition-notification"),
		"no report type":             strings.Replace(report("x"), " report-type=x;", "", 1),
		"status part in a subpart":   "Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n--r\r\nContent-Type: multipart/related; boundary=s\r\n\r\n--s\r\n" + status + "--s--\r\n--r--\r\n",
		"status part at the top":     status,
		"a report with no boundary=": "Content-Type: multipart/report; report-type=delivery-status\r\n\r\n" + status,
	} {
		if _, err := Parse([]byte(raw)); !errors.Is(err, bounce.ErrNotReport) && (err == nil || errors.Is(err, bounce.ErrNoMessageID)) {
			t.Errorf("%s: err = %v, want a refusal", name, err)
		}
	}
}

// TestParseSender ensures the From address is read without its display
// name, and the first Return-Path (the receiving server's) is kept.
func TestParseSender(t *testing.T) {
	n, err := Parse(readSample(t, "gmail-failure.eml"))
	if err != nil || n.From != "mailer-daemon@googlemail.com" || n.ReturnPath != "<>" {
		t.Fatalf("gmail: From %q Return-Path %q %v", n.From, n.ReturnPath, err)
	}
	raw := append([]byte("Return-Path: <prankster@evil.example>\r\n"), readSample(t, "postfix-failed.eml")...)
	raw = bytes.Replace(raw, []byte("From: MAILER-DAEMON@mx.example.net (Mail Delivery System)"), []byte(`From: "MAILER-DAEMON@mx.example.net" <prankster@evil.example>`), 1)
	n, err = Parse(raw)
	if err != nil || n.From != "prankster@evil.example" || n.ReturnPath != "<prankster@evil.example>" {
		t.Fatalf("forged: From %q Return-Path %q %v", n.From, n.ReturnPath, err)
	}
	raw = bytes.Replace(readSample(t, "postfix-failed.eml"), []byte("From: MAILER-DAEMON@mx.example.net (Mail Delivery System)"), []byte("From: a@example.com, mailer-daemon@mx.example.net"), 1)
	if n, err := Parse(raw); err != nil || n.From != "" {
		t.Fatalf("two From addresses: %q %v", n.From, err)
	}
}

// TestParseTruncated ensures a notification cut at bounce.MaxBytes (the original's
// body lost) still yields its report and Message-ID.
func TestParseTruncated(t *testing.T) {
	raw := readSample(t, "postfix-failed.eml")
	big := bytes.Replace(raw, []byte("주문이 발송되었습니다."), bytes.Repeat([]byte("x"), 2*bounce.MaxBytes), 1)
	n, err := Parse(big)
	if err != nil {
		t.Fatal(err)
	}
	if n.MessageID == "" || len(n.Recipients) != 1 || n.Recipients[0].Status != "5.2.1" {
		t.Errorf("got %+v", n)
	}
}

// TestParseBounds ensures hostile sizes are bounded: recipients capped,
// diagnostics cut on a rune boundary, junk statuses and Message-IDs dropped.
func TestParseBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\nX-Original-Message-ID: <no spaces allowed@x>\r\n\r\n")
	for i := 0; i < bounce.MaxRecipients+50; i++ {
		b.WriteString("Final-Recipient: rfc822; a@example.com\r\nAction: failed\r\nStatus: 5.1.+1\r\nDiagnostic-Code: smtp; " + strings.Repeat("가", 400) + "\r\n\r\n")
	}
	b.WriteString("--b--\r\n")
	n, err := Parse([]byte(b.String()))
	if !errors.Is(err, bounce.ErrNoMessageID) {
		t.Fatalf("err = %v", err)
	}
	if len(n.Recipients) != bounce.MaxRecipients {
		t.Errorf("%d recipients kept", len(n.Recipients))
	}
	r := n.Recipients[0]
	if r.Status != "" || len(r.Diagnostic) > bounce.MaxDiagnostic || !strings.HasSuffix(r.Diagnostic, "가") {
		t.Errorf("status %q, diagnostic %d bytes ending %q", r.Status, len(r.Diagnostic), r.Diagnostic[len(r.Diagnostic)-3:])
	}
}

// TestParseEncodedParts ensures a status part sent in base64 and returned
// headers in quoted-printable are decoded before they are read.
func TestParseEncodedParts(t *testing.T) {
	status := base64.StdEncoding.EncodeToString([]byte("Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"))
	raw := "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nIt bounced.\r\n" +
		"--b\r\nContent-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64\r\n\r\n" + status[:40] + "\r\n" + status[40:] + "\r\n" +
		"--b\r\nContent-Type: text/rfc822-headers\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nMessage-ID: <enc.1@gmail=\r\n.com>\r\nSubject: =3D\r\n" +
		"--b--\r\n"
	n, err := Parse([]byte(raw))
	if err != nil || n.MessageID != "<enc.1@gmail.com>" || len(n.Recipients) != 1 || n.Recipients[0].Status != "5.1.1" {
		t.Fatalf("%+v %v", n, err)
	}
}

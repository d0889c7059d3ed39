package devsmtp

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// BounceDomain is the reserved domain (RFC 2606 .test: never a real one)
// whose addresses "bounce": mail to any address there makes the server
// send the sender a delivery status notification shaped like Gmail's own,
// as the real one would arrive minutes after a send. The local part picks
// the outcome:
//
//	delay…@bounce.test     Action: delayed, Status: 4.4.1 (not suppressed)
//	full…@bounce.test      Action: failed,  Status: 5.2.2 (mailbox full: not suppressed)
//	disabled…@bounce.test  Action: failed,  Status: 5.2.1 (suppressed)
//	anything@bounce.test   Action: failed,  Status: 5.1.1 (no such user: suppressed)
const BounceDomain = "bounce.test"

// Inbox receives generated notifications in the sending account's INBOX;
// *devimap.Server is one.
type Inbox interface {
	Append(account string, raw []byte, t time.Time) (uint32, error)
}

// bounceBack sends the sender of m one notification per recipient at
// BounceDomain. Errors are ignored: a development convenience must not
// fail the delivery it comments on.
func (s *Server) bounceBack(m Message) {
	if s.opts.Bounces == nil || m.Data == nil {
		return
	}
	account := m.User
	if account == "" {
		account = m.From
	}
	for _, rcpt := range m.To {
		if !strings.HasSuffix(strings.ToLower(rcpt), "@"+BounceDomain) {
			continue
		}
		if dsn, err := GmailDSN(account, rcpt, m.Data, time.Now()); err == nil {
			_, _ = s.opts.Bounces.Append(account, dsn, time.Now())
		}
	}
}

// bounceOutcome is the action, status and reply a bounce-domain address
// gets.
func bounceOutcome(rcpt string) (action, status, reply, title string) {
	local := strings.ToLower(rcpt[:strings.LastIndex(rcpt, "@")])
	switch {
	case strings.HasPrefix(local, "delay"):
		return "delayed", "4.4.1", "421 4.4.1 Connection timed out", "Delivery incomplete"
	case strings.HasPrefix(local, "full"):
		return "failed", "5.2.2", "552 5.2.2 The recipient's inbox is out of storage space", "Message not delivered"
	case strings.HasPrefix(local, "disabled"):
		return "failed", "5.2.1", "550 5.2.1 The email account that you tried to reach is disabled", "Message not delivered"
	}
	return "failed", "5.1.1", "550 5.1.1 The email account that you tried to reach does not exist", "Address not found"
}

// GmailDSN builds the notification Gmail's mailer-daemon sends account
// when original could not be delivered to rcpt: multipart/report with a
// text and HTML explanation, the message/delivery-status part and the
// original message, its Message-ID in References and In-Reply-To.
func GmailDSN(account, rcpt string, original []byte, at time.Time) ([]byte, error) {
	orig, err := mail.ReadMessage(bytes.NewReader(original))
	if err != nil {
		return nil, fmt.Errorf("devsmtp: the original is not a message: %w", err)
	}
	msgID := orig.Header.Get("Message-Id")
	action, status, reply, title := bounceOutcome(rcpt)
	subject := "Delivery Status Notification (Failure)"
	if action == "delayed" {
		subject = "Delivery Status Notification (Delay)"
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	date := at.UTC().Format(time.RFC1123Z)

	alt, err := w.CreatePart(textproto.MIMEHeader{"Content-Type": {`multipart/alternative; boundary="alt-` + w.Boundary() + `"`}})
	if err != nil {
		return nil, err
	}
	aw := multipart.NewWriter(alt)
	_ = aw.SetBoundary("alt-" + w.Boundary())
	text, _ := aw.CreatePart(textproto.MIMEHeader{"Content-Type": {`text/plain; charset="UTF-8"`}})
	fmt.Fprintf(text, "\r\n** %s **\r\n\r\nYour message wasn't delivered to %s.\r\n\r\nThe response was:\r\n\r\n%s - gsmtp\r\n", title, rcpt, reply)
	html, _ := aw.CreatePart(textproto.MIMEHeader{"Content-Type": {`text/html; charset="UTF-8"`}})
	fmt.Fprintf(html, "<html><body><h2>%s</h2><p>Your message wasn't delivered to <b>%s</b>.</p><p>%s - gsmtp</p></body></html>\r\n", title, rcpt, reply)
	if err := aw.Close(); err != nil {
		return nil, err
	}

	ds, err := w.CreatePart(textproto.MIMEHeader{"Content-Type": {"message/delivery-status"}})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(ds, "Reporting-MTA: dns; googlemail.com\r\nReceived-From-MTA: dns; %s\r\nArrival-Date: %s\r\nX-Original-Message-ID: %s\r\n\r\n", account, date, msgID)
	fmt.Fprintf(ds, "Final-Recipient: rfc822; %s\r\nAction: %s\r\nStatus: %s\r\nRemote-MTA: dns; mx.%s. (127.0.0.1, the server for the domain %s.)\r\nDiagnostic-Code: smtp; %s\r\nLast-Attempt-Date: %s\r\n",
		rcpt, action, status, BounceDomain, BounceDomain, reply, date)

	orig822, err := w.CreatePart(textproto.MIMEHeader{"Content-Type": {"message/rfc822"}})
	if err != nil {
		return nil, err
	}
	_, _ = orig822.Write(original)
	if err := w.Close(); err != nil {
		return nil, err
	}

	var out bytes.Buffer
	fmt.Fprintf(&out, "Return-Path: <>\r\nDelivered-To: %s\r\nMIME-Version: 1.0\r\n", account)
	fmt.Fprintf(&out, "Content-Type: multipart/report; boundary=\"%s\"; report-type=delivery-status\r\n", w.Boundary())
	fmt.Fprintf(&out, "Date: %s\r\nFrom: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\nTo: %s\r\nAuto-Submitted: auto-replied\r\n", date, account)
	fmt.Fprintf(&out, "Message-ID: <%d.dsn@mx.google.com>\r\nSubject: %s\r\n", at.UnixNano(), subject)
	if msgID != "" {
		fmt.Fprintf(&out, "References: %s\r\nIn-Reply-To: %s\r\n", msgID, msgID)
	}
	if action == "failed" {
		fmt.Fprintf(&out, "X-Failed-Recipients: %s\r\n", rcpt)
	}
	out.WriteString("\r\n")
	out.Write(body.Bytes())
	return out.Bytes(), nil
}

package enmimedsn

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"

	"github.com/jhillyerd/enmime"
	"github.com/jhillyerd/enmime/dsn"

	"github.com/gmailsend/gmailsend/internal/bounce"
)

// maxMessageID is the longest Message-ID accepted (RFC 5322 lines are at
// most 998 characters; real ones are under 100).
const maxMessageID = 250

// parser reads MIME leniently (a notification with a broken part still
// yields the parts that are intact) and leaves content raw: enmime would
// otherwise guess the charset of every text part (the explanation's HTML
// too), which was most of the time per notification, for text nothing
// here reads. The two parts used are decoded by transferDecoded.
var parser = enmime.NewParser(enmime.SkipMalformedParts(true), enmime.MaxStoredPartErrors(10),
	enmime.DisableTextConversion(true), enmime.RawContent(true))

// Parse reads one notification. It reads at most bounce.MaxBytes of raw; the
// returned error is bounce.ErrNotReport, bounce.ErrNoMessageID or a wrapped parse error,
// and never includes content of the notification.
func Parse(raw []byte) (bounce.Notification, error) {
	if len(raw) > bounce.MaxBytes {
		raw = raw[:bounce.MaxBytes]
	}
	env, err := parser.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return bounce.Notification{}, fmt.Errorf("enmimedsn: reading the notification's MIME structure: %w", errors.Unwrap(err))
	}
	status, original := reportParts(env.Root)
	if status == nil {
		return bounce.Notification{}, bounce.ErrNotReport
	}
	blocks, err := deliveryStatus(status, original)
	if err != nil {
		return bounce.Notification{}, err
	}
	n := bounce.Notification{From: fromAddress(env.Root.Header.Get("From")), ReturnPath: strings.TrimSpace(env.Root.Header.Get("Return-Path"))}
	for _, h := range blocks.RecipientDSNs {
		if len(n.Recipients) == bounce.MaxRecipients {
			break
		}
		if r, ok := recipient(h.Get); ok {
			n.Recipients = append(n.Recipients, r)
		}
	}
	if len(n.Recipients) == 0 {
		return bounce.Notification{}, bounce.ErrNotReport
	}
	n.MessageID = originalMessageID(original, blocks)
	if n.MessageID == "" {
		return n, bounce.ErrNoMessageID
	}
	return n, nil
}

// reportParts finds the machine-readable status and the returned original
// (whole message, or only its headers) among the parts of a top-level
// multipart/report of type delivery-status (RFC 6522, RFC 3464), and
// nowhere else: a report forwarded inside another message, or a status
// part deep in a multipart/mixed, is not a notification to this mailbox.
// The parts are looked for by type rather than by position because
// senders differ: Gmail puts its explanation in multipart/related with an
// icon, which enmime's dsn.ParseReport does not accept as the first part.
func reportParts(root *enmime.Part) (status, original *enmime.Part) {
	const maxParts = 200 // a notification has a handful; stop counting a bomb
	if root == nil || root.ContentType != "multipart/report" {
		return nil, nil
	}
	// enmime keeps no parameters of the root part: read the field.
	_, params, err := mime.ParseMediaType(root.Header.Get("Content-Type"))
	if err != nil {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(params["report-type"])) {
	case "delivery-status", "global-delivery-status":
	default:
		return nil, nil
	}
	seen := 0
	for p := root.FirstChild; p != nil && seen < maxParts; p = p.NextSibling {
		seen++
		switch p.ContentType {
		case "message/delivery-status", "message/global-delivery-status":
			if status == nil {
				status = p
			}
		case "message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers":
			if original == nil {
				original = p
			}
		}
	}
	return status, original
}

// fromAddress is the one address of a From field, lower-cased, or "" when
// the field holds none or several; the display name is dropped.
func fromAddress(field string) string {
	if len(field) > 998 {
		return "" // longer than any header line may be
	}
	a, err := mail.ParseAddress(field)
	if err != nil {
		return ""
	}
	return strings.ToLower(a.Address)
}

// deliveryStatus parses the status part's fields with enmime's dsn package,
// by handing it the parts in RFC 6522 order (explanation, status).
func deliveryStatus(status, original *enmime.Part) (dsn.DeliveryStatus, error) {
	report := &enmime.Part{ContentType: "multipart/report"}
	report.FirstChild = &enmime.Part{ContentType: "text/plain", Parent: report}
	report.FirstChild.NextSibling = &enmime.Part{ContentType: "message/delivery-status", Content: transferDecoded(status), Parent: report}
	r, err := dsn.ParseReport(report)
	if err != nil {
		return dsn.DeliveryStatus{}, fmt.Errorf("enmimedsn: reading the delivery-status fields: %w", errors.Unwrap(err))
	}
	return r.DeliveryStatus, nil
}

// recipient reads one per-recipient block; get is its header lookup.
func recipient(get func(string) string) (bounce.Recipient, bool) {
	addr := recipientAddress(get("Final-Recipient"))
	if addr == "" {
		addr = recipientAddress(get("Original-Recipient"))
	}
	if addr == "" {
		return bounce.Recipient{}, false
	}
	r := bounce.Recipient{
		Address:    addr,
		Action:     strings.ToLower(firstWord(get("Action"))),
		Diagnostic: cleanDiagnostic(get("Diagnostic-Code")),
	}
	if s := firstWord(get("Status")); bounce.ValidStatus(s) {
		r.Status = s
	}
	return r, true
}

// recipientAddress reads "rfc822; user@example.com" (or the RFC 6533
// "utf-8;" type) into a lower-cased bare address; "" when it is not one.
func recipientAddress(field string) string {
	typ, value, ok := strings.Cut(field, ";")
	if !ok {
		return ""
	}
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "rfc822", "utf-8":
	default:
		return ""
	}
	value = strings.TrimSpace(value)
	if len(value) > 320 {
		return ""
	}
	a, err := mail.ParseAddress(value)
	if err != nil || !strings.Contains(a.Address, "@") {
		return ""
	}
	return strings.ToLower(a.Address)
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// originalMessageID is the Message-ID of the returned original, or else
// the per-message X-Original-Message-ID field Gmail adds to its reports.
func originalMessageID(original *enmime.Part, blocks dsn.DeliveryStatus) string {
	if original != nil {
		if id := usableMessageID(headerOf(transferDecoded(original)).Get("Message-Id")); id != "" {
			return id
		}
	}
	for _, h := range blocks.MessageDSNs {
		if id := usableMessageID(h.Get("X-Original-Message-ID")); id != "" {
			return id
		}
	}
	return ""
}

// headerOf reads the header block at the start of a returned message (or
// of text/rfc822-headers, which may lack the blank line that ends it).
func headerOf(content []byte) textproto.MIMEHeader {
	end := bytes.Index(content, []byte("\r\n\r\n"))
	if i := bytes.Index(content, []byte("\n\n")); i >= 0 && (end < 0 || i < end) {
		end = i
	}
	if end >= 0 {
		content = content[:end]
	}
	r := textproto.NewReader(bufio.NewReader(io.MultiReader(bytes.NewReader(content), strings.NewReader("\r\n\r\n"))))
	h, _ := r.ReadMIMEHeader() // a partial header is still useful
	return h
}

// usableMessageID accepts "<left@right>" of printable ASCII without
// spaces, the shape every Message-ID this function generates has.
func usableMessageID(v string) string {
	v = strings.TrimSpace(v)
	if len(v) < 5 || len(v) > maxMessageID || v[0] != '<' || v[len(v)-1] != '>' {
		return ""
	}
	inner := v[1 : len(v)-1]
	if strings.Count(inner, "@") != 1 || strings.HasPrefix(inner, "@") || strings.HasSuffix(inner, "@") {
		return ""
	}
	for i := 0; i < len(inner); i++ {
		if c := inner[i]; c <= ' ' || c > '~' || c == '<' || c == '>' {
			return ""
		}
	}
	return v
}

// transferDecoded is a part's content with its Content-Transfer-Encoding
// undone (the parser keeps content raw); undecodable content is kept as
// it is, which at worst finds nothing in it.
func transferDecoded(p *enmime.Part) []byte {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding"))) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.Map(dropBase64Junk, p.Content)))
	case "quoted-printable":
		r = quotedprintable.NewReader(bytes.NewReader(p.Content))
	default:
		return p.Content
	}
	out, err := io.ReadAll(io.LimitReader(r, bounce.MaxBytes))
	if err != nil && len(out) == 0 {
		return p.Content
	}
	return out
}

// dropBase64Junk removes line breaks and anything else outside the
// base64 alphabet, as mail readers do.
func dropBase64Junk(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '+', r == '/', r == '=':
		return r
	}
	return -1
}

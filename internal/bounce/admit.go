package bounce

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gmailsend/gmailsend"
)

// Trusted reports whether n arrived the way a real notification does: the
// address of its From field (never the display name) is one of senders,
// compared without case, and its envelope sender was empty (Return-Path:
// <>), as RFC 5321 requires of a notification so that it never bounces in
// turn. Anyone who can send mail can forge both; they keep look-alikes
// out, and Admit bounds what a forgery that passes can do.
func (n Notification) Trusted(senders []string) bool {
	if n.From == "" || strings.ReplaceAll(n.ReturnPath, " ", "") != "<>" {
		return false
	}
	for _, s := range senders {
		if strings.EqualFold(strings.TrimSpace(s), n.From) {
			return true
		}
	}
	return false
}

// Target is the record a notification's Message-ID led to, as the store
// read it.
type Target struct {
	Account string
	Status  gmailsend.Status
	// RecipientKeys are the AddressHash of each recipient of the message;
	// empty for a record written before records kept them.
	RecipientKeys []string
	Bounces       map[string]gmailsend.BounceMark
	// UpdatedAt is when the record was last written, as read: the write
	// of what Admit decides is conditional on it (Records.WriteBounce).
	UpdatedAt time.Time
}

// Change is what an admitted event writes to its record: Mark under the
// event's RecipientHash, and the record's new status.
type Change struct {
	Mark   gmailsend.BounceMark
	Status gmailsend.Status
}

// Admit decides what e may change on t, the one rule every store applies:
//
//   - only a record of one of e.Owners that was sent (sent, unknown,
//     delayed or bounced); any other is NotFound;
//   - only the entry of a recipient the message had (NotRecipient
//     otherwise, and always for a record without recipient keys): a forged
//     notification can name any address, but can change nothing about an
//     address the message was not sent to, and the entries of a record
//     are at most its recipients;
//   - the same outcome again, or anything after a bounce, is a Duplicate;
//   - a bounce makes the record bounced, a delay delayed unless it bounced
//     (gmailsend.BounceStatus);
//   - the diagnostic is kept while the record's diagnostics stay within
//     MaxRecordDiagnostics, else the entry is written without it.
func (e Event) Admit(t Target) (Change, Applied) {
	if !slices.Contains(e.Owners, t.Account) {
		return Change{}, NotFound
	}
	status, sent := gmailsend.BounceStatus(t.Status, e.Outcome == Bounced) // the status rule is the domain's
	if !sent {
		return Change{}, NotFound // never sent: the notification is not about it
	}
	if !slices.Contains(t.RecipientKeys, e.RecipientHash) {
		return Change{}, NotRecipient
	}
	prev, had := t.Bounces[e.RecipientHash]
	if e.Outcome == None || had && (prev.Action == string(e.Outcome) || prev.Action == string(Bounced)) {
		return Change{}, Duplicate
	}
	diag := cut(e.Diagnostic, MaxDiagnostic)
	used := len(diag)
	for k, m := range t.Bounces {
		if k != e.RecipientHash {
			used += len(m.Diagnostic)
		}
	}
	if used > MaxRecordDiagnostics {
		diag = ""
	}
	at := e.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	return Change{Mark: gmailsend.BounceMark{Action: string(e.Outcome), Status: e.Status, Diagnostic: diag, At: at}, Status: status}, Updated
}

// cut shortens s to at most n bytes on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

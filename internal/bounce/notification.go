package bounce

import (
	"strconv"
	"strings"
)

// Notification is what one delivery status notification reports.
type Notification struct {
	// MessageID is the returned original's Message-ID, angle brackets
	// included: the key that ties the notification to a record.
	MessageID  string
	Recipients []Recipient
	// From is the address of the notification's From field, lower-cased
	// ("" when there is not exactly one address); the display name is
	// never kept, as anyone can write "mailer-daemon" there.
	From string
	// ReturnPath is the first Return-Path field, as the receiving server
	// wrote it from the envelope sender: "<>" for a notification ("" when
	// there is none).
	ReturnPath string
}

// Recipient is one per-recipient block of the report.
type Recipient struct {
	// Address is the Final-Recipient (or Original-Recipient) address,
	// lower-cased.
	Address string
	// Action is the lower-cased Action field: failed, delayed, delivered,
	// relayed or expanded.
	Action string
	// Status is the enhanced status code, e.g. "5.1.1" ("" when absent or
	// malformed).
	Status string
	// Diagnostic is the Diagnostic-Code with its type, unfolded, cleaned
	// of control characters and addresses, at most MaxDiagnostic bytes.
	Diagnostic string
}

// Outcome is what a recipient's block means for the message record.
type Outcome string

// The outcomes; None is a block that changes nothing (delivered, relayed,
// expanded, or an unknown action).
const (
	None    Outcome = ""
	Bounced Outcome = "bounced"
	Delayed Outcome = "delayed"
)

// Outcome classifies the block. Action failed is a bounce whatever the
// status class: Postfix reports a message it gave up on after retrying
// with the last temporary status (Action: failed, Status: 4.4.1), and that
// message will not be delivered either.
func (r Recipient) Outcome() Outcome {
	switch r.Action {
	case "failed":
		return Bounced
	case "delayed":
		return Delayed
	}
	return None
}

// Suppress reports whether the address itself is dead, so later sends to
// it should be refused: a permanent failure about the mailbox address
// (5.1.x: no such user, bad domain, moved …) or a disabled mailbox (5.2.1).
// A full mailbox (5.2.2), a refused message (5.7.x, 5.3.4) or a delay says
// nothing about the address and is not suppressed.
func (r Recipient) Suppress() bool {
	if r.Outcome() != Bounced {
		return false
	}
	class, subject, detail, ok := splitStatus(r.Status)
	return ok && class == 5 && (subject == 1 || subject == 2 && detail == 1)
}

// Permanent reports whether the status is a permanent (5.x.x) failure.
func (r Recipient) Permanent() bool {
	class, _, _, ok := splitStatus(r.Status)
	return ok && class == 5
}

// ValidStatus reports whether s is an RFC 3463 status code
// ("class.subject.detail"), the only form a Recipient keeps.
func ValidStatus(s string) bool {
	_, _, _, ok := splitStatus(s)
	return ok
}

// splitStatus parses "class.subject.detail" (RFC 3463): class 2, 4 or 5,
// subject and detail 1–3 digits.
func splitStatus(s string) (class, subject, detail int, ok bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return 0, 0, 0, false
	}
	var n [3]int
	for i, p := range parts {
		if len(p) == 0 || len(p) > 3 || (i == 0 && len(p) != 1) {
			return 0, 0, 0, false
		}
		for _, c := range []byte(p) {
			if c < '0' || c > '9' {
				return 0, 0, 0, false
			}
		}
		n[i], _ = strconv.Atoi(p)
	}
	if n[0] != 2 && n[0] != 4 && n[0] != 5 {
		return 0, 0, 0, false
	}
	return n[0], n[1], n[2], true
}

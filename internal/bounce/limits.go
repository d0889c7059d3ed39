package bounce

import "errors"

// Limits that keep one hostile notification from costing more than a
// normal one.
const (
	// MaxBytes is the most of a notification a parser reads. The parts it
	// needs (the report and the original's headers) come first; a longer
	// notification is cut here, which loses only the original's body.
	MaxBytes = 256 << 10
	// MaxRecipients is the most per-recipient blocks kept from one report.
	MaxRecipients = 100
	// MaxDiagnostic is the longest diagnostic kept, in bytes.
	MaxDiagnostic = 500
)

// Why a notification is skipped. Both are counted by the caller, never
// fatal to a run.
var (
	// ErrNotReport: no message/delivery-status part with a recipient
	// (an auto-reply, a spam message from a "mailer-daemon" look-alike).
	ErrNotReport = errors.New("bounce: not a delivery status notification")
	// ErrNoMessageID: a report, but the returned original carries no
	// usable Message-ID, so no record can be found for it.
	ErrNoMessageID = errors.New("bounce: the notification names no usable Message-ID")
)

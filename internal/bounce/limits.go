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

// Limits that keep a record far below DynamoDB's 400 KB item limit
// however many notifications name it (TestFullestRecordFits measures the
// fullest record these allow against dynalite).
const (
	// MaxRecipientKeys is the most recipients a record keeps keys of, so
	// the most bounce entries it can hold: a notification may only write
	// the entry of a recipient the message had. MAX_RECIPIENTS may not be
	// set above it.
	MaxRecipientKeys = 1000
	// MaxRecordDiagnostics is the most diagnostic text, in bytes, one
	// record's bounce entries keep together; an entry that would pass it
	// is kept without its diagnostic.
	MaxRecordDiagnostics = 64 << 10
)

// MaxApplyAttempts is how many runs try a notification the table keeps
// refusing before it is counted (SkipFailing), logged by UID and passed
// over, so that one bad notification cannot stop the reader for good.
const MaxApplyAttempts = 3

// Why a notification is skipped. Both are counted by the caller, never
// fatal to a run.
var (
	// ErrNotReport: not a top-level multipart/report of delivery status
	// with a recipient (an auto-reply, a spam message from a
	// "mailer-daemon" look-alike, a report wrapped in another message).
	ErrNotReport = errors.New("bounce: not a delivery status notification")
	// ErrNoMessageID: a report, but the returned original carries no
	// usable Message-ID, so no record can be found for it.
	ErrNoMessageID = errors.New("bounce: the notification names no usable Message-ID")
)

package bounce

// SkipReason says why a notification was passed over without changing
// anything. The values are stable: they are the Reason dimension of the
// NotificationsSkipped metric and keys of the run's report.
type SkipReason string

// The reasons, each documented in docs/bounces.md.
const (
	// SkipNotReport: not a top-level multipart/report of delivery status
	// with a recipient (ErrNotReport), or a MIME structure that does not
	// parse.
	SkipNotReport SkipReason = "not_report"
	// SkipUntrusted: From is not one of the configured senders
	// (BOUNCE_SENDERS), or the envelope sender was not empty.
	SkipUntrusted SkipReason = "untrusted_sender"
	// SkipNoMessageID: a report without a usable Message-ID of the
	// original (ErrNoMessageID).
	SkipNoMessageID SkipReason = "no_message_id"
	// SkipUnknownMessage: no sent record of this account has the
	// Message-ID.
	SkipUnknownMessage SkipReason = "unknown_message"
	// SkipNotRecipient: the record exists, but no recipient the report
	// names was a recipient of that message (or the record predates
	// recipient keys and accepts no bounce).
	SkipNotRecipient SkipReason = "not_recipient"
	// SkipFailing: the table refused to apply it in MaxApplyAttempts runs.
	SkipFailing SkipReason = "apply_failed"
)

// SkipReasons lists every reason, for documentation checks.
func SkipReasons() []SkipReason {
	return []SkipReason{SkipNotReport, SkipUntrusted, SkipNoMessageID, SkipUnknownMessage, SkipNotRecipient, SkipFailing}
}

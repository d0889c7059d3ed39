package gmailsend

import (
	"time"
)

// Status is where a message is in its life. Every status of every feature
// is declared here, so the table holds no status this package does not
// know.
type Status string

const (
	// StatusSending: claimed, delivery under way (or the invocation died;
	// its lease then lets a retry take over).
	StatusSending Status = "sending"
	// StatusSent: the SMTP server accepted the message (250 after the
	// final dot).
	StatusSent Status = "sent"
	// StatusFailed: refused or failed; ErrorCode says why.
	StatusFailed Status = "failed"
	// StatusUnknown: the connection broke after the content was sent and
	// before the server's reply; it may or may not have been delivered,
	// and is never sent again (at most once).
	StatusUnknown Status = "unknown"
	// StatusQueued: accepted for sending later through the queue.
	StatusQueued Status = "queued"
	// StatusScheduled: to be sent at a given time.
	StatusScheduled Status = "scheduled"
	// StatusCancelled: a queued or scheduled message the caller cancelled.
	StatusCancelled Status = "cancelled"
	// StatusBounced: sent, then a delivery status notification said it
	// failed permanently.
	StatusBounced Status = "bounced"
	// StatusDelayed: sent, then a notification said delivery is delayed.
	StatusDelayed Status = "delayed"
)

// Statuses lists every status, for documentation checks.
func Statuses() []Status {
	return []Status{StatusSending, StatusSent, StatusFailed, StatusUnknown,
		StatusQueued, StatusScheduled, StatusCancelled, StatusBounced, StatusDelayed}
}

// Record is what is kept about one message. Its JSON is what
// GET /messages/{id} returns.
type Record struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	// Account is the stored credential's name ("support-desk"), or for an
	// inline password "addr:" and an opaque hash of the address.
	Account string `json:"account"`
	// Source is what invoked the function (apigateway-rest, sqs, …).
	Source string `json:"source"`
	// Caller is the API Gateway API key id, empty for IAM-authorised
	// sources (queue, events, direct invocation).
	Caller     string `json:"caller,omitempty"`
	Recipients int    `json:"recipients"`
	// RecipientKeys are the keys of the message's recipients
	// (bounce.AddressHash, the suppression list's keys: no address), so
	// that a bounce can only change what concerns a real recipient.
	RecipientKeys []string  `json:"-"`
	MessageID     string    `json:"messageId,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
	// ErrorCode is the stable code of a failed or unknown send.
	ErrorCode Code `json:"errorCode,omitempty"`
	// Reply is the server's final reply, address-like words redacted.
	Reply *SMTPReply `json:"reply,omitempty"`
	// ExpiresAt is when the table's TTL removes the record.
	ExpiresAt time.Time `json:"expiresAt"`
	// ScheduledAt is when a scheduled message is to be sent (nil otherwise).
	ScheduledAt *time.Time `json:"scheduledAt,omitempty"`
	// Bounces are what delivery status notifications said, by recipient
	// hash (bounce.AddressHash: no address is stored); set by the bounce
	// reader.
	Bounces map[string]BounceMark `json:"bounces,omitempty"`
	// Template and TemplateVersion name the stored template the message
	// was rendered from.
	Template        string `json:"template,omitempty"`
	TemplateVersion int    `json:"templateVersion,omitempty"`

	// Keyed says the id comes from an idempotency key.
	Keyed bool `json:"-"`
	// Fingerprint identifies the request (see Fingerprint).
	Fingerprint string `json:"-"`
	// KeyUntil is when the idempotency key stops protecting the id.
	KeyUntil time.Time `json:"-"`
	// LeaseUntil is when a sending claim may be taken over.
	LeaseUntil time.Time `json:"-"`
	// Token identifies the invocation holding the claim, so a late
	// invocation never overwrites the outcome of the one that took over.
	Token string `json:"-"`
	// Released marks a claim given back (the send failed before any
	// content reached the server): the key may be claimed again.
	Released bool `json:"-"`
	// ContentAt is when the claim's holder wrote that message content may
	// be at the server (Records.Mark), just before its first byte went:
	// a claim left with it is never taken over for sending again, as the
	// crashed invocation may have delivered (at most once). Zero: nothing
	// of the message can have reached the server.
	ContentAt time.Time `json:"-"`
}

// Stale reports whether r is a sending claim whose holder can no longer
// finish it (its lease ran out at now).
func (r *Record) Stale(now time.Time) bool {
	return r.Status == StatusSending && r.LeaseUntil.Before(now)
}

// MayHaveSent reports whether content of r's message may have reached the
// server: a stale claim with this mark ends unknown, never sent again.
func (r *Record) MayHaveSent() bool { return !r.ContentAt.IsZero() }

// Final reports whether the record's outcome will not change through
// sending (it may still change through bounces).
func (r *Record) Final() bool {
	switch r.Status {
	case StatusSent, StatusFailed, StatusUnknown, StatusBounced, StatusDelayed, StatusCancelled:
		return true
	}
	return false
}

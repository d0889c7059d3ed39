package gmailsend

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"time"
)

// EventType names what happened: the detail-type on the event bus and
// the "type" a webhook receives.
type EventType string

// The event types: one per status a message can reach that a caller can
// act on, one per suppression change, and the webhook test. Sending is
// not one: it is the service's own step between queued and sent.
const (
	EventQueued       EventType = "message.queued"
	EventScheduled    EventType = "message.scheduled"
	EventSent         EventType = "message.sent"
	EventFailed       EventType = "message.failed"
	EventUnknown      EventType = "message.unknown"
	EventCancelled    EventType = "message.cancelled"
	EventBounced      EventType = "message.bounced"
	EventDelayed      EventType = "message.delayed"
	EventSuppressed   EventType = "recipient.suppressed"
	EventUnsuppressed EventType = "recipient.unsuppressed"
	EventWebhookTest  EventType = "webhook.test"
)

// EventTypes lists every event type, for the schemas and the checks that
// hold them to the code.
func EventTypes() []EventType {
	return []EventType{EventQueued, EventScheduled, EventSent, EventFailed, EventUnknown, EventCancelled,
		EventBounced, EventDelayed, EventSuppressed, EventUnsuppressed, EventWebhookTest}
}

// eventOfStatus is the event a record's arrival in a status makes.
var eventOfStatus = map[Status]EventType{
	StatusQueued: EventQueued, StatusScheduled: EventScheduled, StatusSent: EventSent,
	StatusFailed: EventFailed, StatusUnknown: EventUnknown, StatusCancelled: EventCancelled,
	StatusBounced: EventBounced, StatusDelayed: EventDelayed,
}

// Event is one status change as receivers see it (the webhook body; its
// Data is the event bus entry's detail). It never holds a subject, body,
// password, token or address: a bounce names its recipient by
// RecipientHash, which a receiver computes from its own addresses
// (docs/webhooks.md).
type Event struct {
	// ID is the same for every delivery of the same change, on the bus
	// and to every webhook: receivers deduplicate by it.
	ID        string    `json:"id"`
	Type      EventType `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      EventData `json:"data"`
}

// EventData is what the change was about.
type EventData struct {
	// MessageID is the message record's id (GET /messages/{id}); empty
	// for suppression changes.
	MessageID      string `json:"messageId,omitempty"`
	Status         Status `json:"status,omitempty"`
	PreviousStatus Status `json:"previousStatus,omitempty"`
	// APIKeyID is the caller's API Gateway key id; empty for IAM sources.
	APIKeyID string `json:"apiKeyId,omitempty"`
	// Account is the credential's name (or "addr:" and a hash), or for a
	// suppression the sending mailbox's key.
	Account string `json:"account,omitempty"`
	Source  string `json:"source,omitempty"`
	// SMTPMessageID is the Message-ID the message was sent with.
	SMTPMessageID string     `json:"smtpMessageId,omitempty"`
	Code          string     `json:"code,omitempty"`
	Reply         *SMTPReply `json:"reply,omitempty"`
	// RecipientHash names the recipient a bounce, delay or suppression is
	// about (bounce.AddressHash).
	RecipientHash string     `json:"recipientHash,omitempty"`
	Reason        string     `json:"reason,omitempty"`
	ScheduledAt   *time.Time `json:"scheduledAt,omitempty"`
	Template      string     `json:"template,omitempty"`
}

// EventsOf are the events a record's change from old (nil: it did not
// exist) to new makes, in the order they happened. A new or changed
// bounce entry makes one event per recipient; otherwise a change of
// status makes one, unless it is into sending (a step, not an outcome)
// or back to where it was. Nothing else (a lease, a mark, a new key)
// makes any.
func EventsOf(old, new *Record) []Event {
	if new == nil {
		return nil
	}
	from := Status("")
	var oldBounces map[string]BounceMark
	if old != nil {
		from, oldBounces = old.Status, old.Bounces
	}
	if out := bounceEvents(from, oldBounces, new); len(out) > 0 {
		return out
	}
	t, ok := eventOfStatus[new.Status]
	if !ok || from == new.Status {
		return nil
	}
	return []Event{recordEvent(t, from, new, "", new.UpdatedAt)}
}

// bounceEvents are the events of the bounce entries new has and old had
// not (or had with another action), in recipient-hash order.
func bounceEvents(from Status, old map[string]BounceMark, new *Record) []Event {
	var keys []string
	for k, m := range new.Bounces {
		if o, seen := old[k]; !seen || o.Action != m.Action || !o.At.Equal(m.At) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]Event, 0, len(keys))
	for _, k := range keys {
		m := new.Bounces[k]
		t := EventDelayed
		if m.Action == string(StatusBounced) {
			t = EventBounced
		}
		e := recordEvent(t, from, new, k, m.At)
		e.Data.Code, e.Data.Reply = m.Status, nil // the notification's, not the send's
		out = append(out, e)
	}
	return out
}

func recordEvent(t EventType, from Status, r *Record, recipient string, at time.Time) Event {
	d := EventData{MessageID: r.ID, Status: r.Status, PreviousStatus: from, APIKeyID: r.Caller,
		Account: r.Account, Source: r.Source, SMTPMessageID: r.MessageID, Code: string(r.ErrorCode),
		Reply: r.Reply, RecipientHash: recipient, ScheduledAt: r.ScheduledAt, Template: r.Template}
	return Event{ID: EventID(string(t), r.ID, recipient, at), Type: t, Timestamp: at.UTC(), Data: d}
}

// SuppressionChange is an entry added to or removed from an account's
// suppression list, as the table's stream shows it.
type SuppressionChange struct {
	Added                          bool
	Account, RecipientHash, Reason string
	// SourceID is the record id of the message that caused the entry.
	SourceID  string
	CreatedAt time.Time
}

// Event is the change's event, seen at now.
func (c SuppressionChange) Event(now time.Time) Event {
	return SuppressionEvent(c.Added, c.Account, c.RecipientHash, c.Reason, c.SourceID, c.CreatedAt, now)
}

// SuppressionEvent is the event of an entry added to (suppressed) or
// removed from an account's suppression list. at is when the entry was
// made; a removal has no time of its own in the list, so its id is made
// from the entry it removed.
func SuppressionEvent(suppressed bool, account, recipientHash, reason, sourceID string, at, now time.Time) Event {
	t := EventUnsuppressed
	if suppressed {
		t = EventSuppressed
	}
	d := EventData{Account: account, RecipientHash: recipientHash, Reason: reason, MessageID: sourceID}
	return Event{ID: EventID(string(t), account, recipientHash, at), Type: t, Timestamp: now.UTC(), Data: d}
}

// EventID is an event's id: a hash of what identifies the change (its
// type, the item it changed, the recipient, and when), so that every
// replay of the same change (a stream retry, a redelivered batch) carries
// the same id.
func EventID(parts ...any) string {
	h := sha256.New()
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			h.Write([]byte(v))
		case time.Time:
			h.Write([]byte(strconv.FormatInt(v.UnixMilli(), 10)))
		}
		h.Write([]byte{0})
	}
	return "evt_" + hex.EncodeToString(h.Sum(nil)[:16])
}

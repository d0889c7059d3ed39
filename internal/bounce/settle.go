package bounce

import (
	"context"
	"errors"

	"github.com/gmailsend/gmailsend"
)

// Records is what applying a notification needs of the message table:
// three persisting steps and no rule (internal/dynamostore implements
// them). The rule is Event.Admit, and the status change goes through
// gmailsend.Settle like every other (Apply).
type Records interface {
	// RecordsByMessageID returns the ids of the records whose message has
	// that Message-ID (a few at most: ids are random, Message-IDs unique
	// but not enforced so).
	RecordsByMessageID(ctx context.Context, messageID string) ([]string, error)
	// BounceTarget reads record id as Admit needs it; nil when there is
	// no such record (or it cannot be read as one).
	BounceTarget(ctx context.Context, id string) (*Target, error)
	// WriteBounce writes c (its mark under recipientHash, and its status)
	// on record id, conditional on the record being unchanged since t was
	// read (t.UpdatedAt); ErrRaced when it changed.
	WriteBounce(ctx context.Context, id, recipientHash string, t *Target, c Change) error
}

// ErrRaced: the record changed between the read and the write of a
// notification; Apply reads it again.
var ErrRaced = errors.New("bounce: the record changed while a notification was applied")

// SourceBounce is the source of a status change a notification made.
const SourceBounce = "bounce"

// raceAttempts bounds how often a record that keeps changing is read
// again before the next record with the Message-ID is tried.
const raceAttempts = 3

// Apply records a recipient's outcome on the record whose Message-ID it
// names: Admit decides on each record the Message-ID leads to, and the
// change settles through gmailsend.Settle, telling sink (nil: nobody). A
// record of another account, or one the address was not a recipient of,
// is not changed (NotFound and NotRecipient; NotRecipient wins when the
// Message-ID leads to several records). It returns the record id when one
// was found.
func Apply(ctx context.Context, recs Records, sink gmailsend.StatusSink, e Event) (string, Applied, error) {
	ids, err := recs.RecordsByMessageID(ctx, e.MessageID)
	if err != nil {
		return "", 0, err
	}
	result, resultID := NotFound, ""
	for _, id := range ids {
		for attempt := 0; attempt < raceAttempts; attempt++ {
			applied, err := settle(ctx, recs, sink, id, e)
			if errors.Is(err, ErrRaced) {
				continue
			}
			if err != nil || applied == Updated || applied == Duplicate {
				return id, applied, err
			}
			if applied == NotRecipient {
				result, resultID = applied, id
			}
			break // another account's record with the same id, or not its recipient
		}
	}
	return resultID, result, nil
}

// settle reads record id, lets Admit decide, and writes what it admitted.
func settle(ctx context.Context, recs Records, sink gmailsend.StatusSink, id string, e Event) (Applied, error) {
	t, err := recs.BounceTarget(ctx, id)
	if err != nil {
		return 0, err
	}
	if t == nil {
		return NotFound, nil
	}
	c, applied := e.Admit(*t)
	if applied != Updated {
		return applied, nil
	}
	change := gmailsend.StatusChange{ID: id, From: t.Status, To: c.Status, At: c.Mark.At, Account: t.Account,
		Source: SourceBounce, Code: e.Status, Recipient: e.RecipientHash}
	err = gmailsend.Settle(ctx, sink, change, func(ctx context.Context) error {
		return recs.WriteBounce(ctx, id, e.RecipientHash, t, c)
	})
	if err != nil {
		return 0, err
	}
	return Updated, nil
}

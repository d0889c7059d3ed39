package sender

import (
	"context"
	"errors"

	"github.com/gmailsend/gmailsend/internal/email"
	"github.com/gmailsend/gmailsend/internal/store"
)

// Lookup returns the record id if caller created it. Another caller's
// record is not found, exactly like an unknown id, so ids reveal nothing
// across API keys.
func (s *Sender) Lookup(ctx context.Context, id, caller string) (*store.Record, error) {
	if s.Records == nil {
		return nil, email.Errorf(email.CodeStoreNotConfigured, "", "message records need the message table; set MESSAGES_TABLE")
	}
	notFound := email.Errorf(email.CodeMessageNotFound, "id", "no message with this id")
	if !store.ValidID(id) {
		return nil, notFound
	}
	rec, err := s.Records.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	if rec.Caller != caller {
		return nil, notFound
	}
	return rec, nil
}

package sender

import (
	"context"
	"errors"

	"github.com/gmailsend/gmailsend"
)

// Lookup returns the record id if caller created it. Another caller's
// record is not found, exactly like an unknown id, so ids reveal nothing
// across API keys.
func (s *Sender) Lookup(ctx context.Context, id, caller string) (*gmailsend.Record, error) {
	if s.Records == nil {
		return nil, gmailsend.Errorf(gmailsend.CodeStoreNotConfigured, "", "message records need the message table; set MESSAGES_TABLE")
	}
	notFound := gmailsend.Errorf(gmailsend.CodeMessageNotFound, "id", "no message with this id")
	if !gmailsend.ValidID(id) {
		return nil, notFound
	}
	rec, err := s.Records.Get(ctx, id)
	if errors.Is(err, gmailsend.ErrNotFound) {
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

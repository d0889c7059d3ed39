package eventbridge

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gmailsend/gmailsend"
)

// Source is the source of every status event on the bus, what a rule's
// event pattern matches ({"source": ["gmailsend"]}).
const Source = "gmailsend"

// Bus puts status events on one bus: detail-type the event's type,
// detail the whole event (id, type, timestamp, data), time its timestamp.
type Bus struct {
	Publisher *Publisher
	Name      string
}

// Publish puts evs on the bus, in order.
func (b *Bus) Publish(ctx context.Context, evs []gmailsend.Event) error {
	entries := make([]Entry, len(evs))
	for i, e := range evs {
		detail, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("eventbridge: %w", err)
		}
		entries[i] = Entry{Bus: b.Name, Source: Source, DetailType: string(e.Type), Detail: detail, Time: e.Timestamp}
	}
	return b.Publisher.Put(ctx, entries)
}

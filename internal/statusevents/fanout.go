package statusevents

import (
	"context"
	"fmt"
	"time"

	"github.com/gmailsend/gmailsend"
)

// Change is one stream record read back into the domain (what
// dynamostore.ReadStreamRecord gives), or the error reading it.
type Change struct {
	// Seq is the stream record's sequence number.
	Seq string
	// Old and New are a message record before and after the change.
	Old, New *gmailsend.Record
	// Suppression is an entry added to or removed from a list.
	Suppression *gmailsend.SuppressionChange
	// Err is why the record could not be read; it fails the batch from
	// this record on (its events would otherwise be lost).
	Err error
}

// Bus puts events on the event bus.
type Bus interface {
	Publish(ctx context.Context, events []gmailsend.Event) error
}

// Endpoints finds the webhook endpoints an event goes to.
type Endpoints interface {
	// Subscribed returns the ids of caller's enabled endpoints that
	// receive events of type t.
	Subscribed(ctx context.Context, caller string, t gmailsend.EventType) ([]string, error)
	// Following returns the enabled endpoints, of any caller, that
	// receive events of type t and follow account's suppression list
	// (the callers were allowed to use its credential).
	Following(ctx context.Context, account string, t gmailsend.EventType) ([]Target, error)
}

// Target is one endpoint of one caller.
type Target struct {
	Caller, Endpoint string
}

// Delivery is one event to one endpoint.
type Delivery struct {
	Caller, Endpoint string
	Event            gmailsend.Event
}

// Deliveries queues deliveries for the webhook deliverer.
type Deliveries interface {
	Enqueue(ctx context.Context, ds []Delivery) error
}

// Fanout publishes a batch's events. Endpoints and Deliveries nil: no
// webhooks (the bus only); Bus nil: no bus.
type Fanout struct {
	Bus        Bus
	Endpoints  Endpoints
	Deliveries Deliveries
	Now        func() time.Time
}

// Report is what Handle did with a batch, for the function's log and
// metrics: counts and a sequence number, never an event's data.
type Report struct {
	// RetryFrom is the sequence number of the first record whose events
	// may not all have gone out ("" when all did), for the stream to
	// deliver again from it. Records before it are done.
	RetryFrom string
	// Published counts the events that went out, by type. A failed
	// publish counts none: its batch goes again whole, and is counted
	// when it succeeds.
	Published map[gmailsend.EventType]int
	// Queued is the number of webhook deliveries put on the queue.
	Queued int
}

// Handle publishes the events of changes, in order, and reports what
// went out and where the stream must deliver again from; the error says
// why it must.
func (f *Fanout) Handle(ctx context.Context, changes []Change) (Report, error) {
	end := len(changes)
	var err error
	for i, c := range changes {
		if c.Err != nil {
			end, err = i, fmt.Errorf("statusevents: record %s: %w", c.Seq, c.Err)
			break
		}
	}
	var evs []gmailsend.Event
	for _, c := range changes[:end] {
		evs = append(evs, f.eventsOf(c)...)
	}
	queued, perr := f.publish(ctx, evs)
	if perr != nil {
		// The bus or the queue may hold some of them: the whole batch
		// goes again, under the same event ids.
		if len(changes) == 0 {
			return Report{}, perr
		}
		return Report{RetryFrom: changes[0].Seq}, perr
	}
	rep := Report{Queued: queued}
	if len(evs) > 0 {
		rep.Published = make(map[gmailsend.EventType]int)
		for _, e := range evs {
			rep.Published[e.Type]++
		}
	}
	if end < len(changes) {
		rep.RetryFrom = changes[end].Seq
	}
	return rep, err
}

func (f *Fanout) eventsOf(c Change) []gmailsend.Event {
	if c.Suppression != nil {
		return []gmailsend.Event{c.Suppression.Event(f.now())}
	}
	return gmailsend.EventsOf(c.Old, c.New)
}

func (f *Fanout) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// publish puts evs on the bus and queues their webhook deliveries; it
// returns how many deliveries it queued.
func (f *Fanout) publish(ctx context.Context, evs []gmailsend.Event) (int, error) {
	if len(evs) == 0 {
		return 0, nil
	}
	if f.Bus != nil {
		if err := f.Bus.Publish(ctx, evs); err != nil {
			return 0, err
		}
	}
	if f.Endpoints == nil || f.Deliveries == nil {
		return 0, nil
	}
	ds, err := f.deliveries(ctx, evs)
	if err != nil || len(ds) == 0 {
		return 0, err
	}
	if err := f.Deliveries.Enqueue(ctx, ds); err != nil {
		return 0, err
	}
	return len(ds), nil
}

// deliveries pairs each event with its caller's subscribed endpoints. A
// suppression change has no caller: it goes to the endpoints that follow
// its account's list, whichever key registered them. Any other event
// without a caller (an IAM source's message) goes to the bus only: no API
// key owns it.
func (f *Fanout) deliveries(ctx context.Context, evs []gmailsend.Event) ([]Delivery, error) {
	var out []Delivery
	for _, e := range evs {
		if e.Type == gmailsend.EventSuppressed || e.Type == gmailsend.EventUnsuppressed {
			targets, err := f.Endpoints.Following(ctx, e.Data.Account, e.Type)
			if err != nil {
				return nil, err
			}
			for _, t := range targets {
				out = append(out, Delivery{Caller: t.Caller, Endpoint: t.Endpoint, Event: e})
			}
			continue
		}
		caller := e.Data.APIKeyID
		if caller == "" {
			continue
		}
		ids, err := f.Endpoints.Subscribed(ctx, caller, e.Type)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out = append(out, Delivery{Caller: caller, Endpoint: id, Event: e})
		}
	}
	return out, nil
}

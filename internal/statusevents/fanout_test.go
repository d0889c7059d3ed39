package statusevents

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
)

type recordingBus struct {
	got  []gmailsend.Event
	fail error
}

func (b *recordingBus) Publish(_ context.Context, evs []gmailsend.Event) error {
	if b.fail != nil {
		return b.fail
	}
	b.got = append(b.got, evs...)
	return nil
}

// endpointsByCaller subscribes each caller's endpoints to every type.
type endpointsByCaller map[string][]string

func (e endpointsByCaller) Subscribed(_ context.Context, caller string, _ gmailsend.EventType) ([]string, error) {
	return e[caller], nil
}

// Following: a key "follows:<account>" lists "caller/endpoint" pairs.
func (e endpointsByCaller) Following(_ context.Context, account string, _ gmailsend.EventType) ([]Target, error) {
	var out []Target
	for _, pair := range e["follows:"+account] {
		caller, id, _ := strings.Cut(pair, "/")
		out = append(out, Target{Caller: caller, Endpoint: id})
	}
	return out, nil
}

type recordingQueue struct{ got []Delivery }

func (q *recordingQueue) Enqueue(_ context.Context, ds []Delivery) error {
	q.got = append(q.got, ds...)
	return nil
}

func change(seq, caller string, from, to gmailsend.Status, at time.Time) Change {
	rec := func(s gmailsend.Status) *gmailsend.Record {
		return &gmailsend.Record{ID: "m-" + seq, Status: s, Caller: caller, UpdatedAt: at}
	}
	c := Change{Seq: seq, New: rec(to)}
	if from != "" {
		c.Old = rec(from)
	}
	return c
}

// TestFanoutSendsEachEventToItsCallersEndpointsOnly ensures every change's event reaches the bus in order, webhook deliveries go only to the endpoints of the message's own caller (an IAM source's message to none), and the report counts the events by type and the deliveries queued.
func TestFanoutSendsEachEventToItsCallersEndpointsOnly(t *testing.T) {
	at := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	bus, q := &recordingBus{}, &recordingQueue{}
	f := &Fanout{Bus: bus, Endpoints: endpointsByCaller{"alice": {"w1", "w2"}, "bob": {"w3"}}, Deliveries: q}
	rep, err := f.Handle(context.Background(), []Change{
		change("1", "alice", gmailsend.StatusSending, gmailsend.StatusSent, at),
		change("2", "bob", "", gmailsend.StatusQueued, at),
		change("3", "", gmailsend.StatusSending, gmailsend.StatusFailed, at),
		change("4", "alice", gmailsend.StatusQueued, gmailsend.StatusSending, at), // a step: no event
	})
	if rep.RetryFrom != "" || err != nil {
		t.Fatalf("retry %q, %v", rep.RetryFrom, err)
	}
	var types []gmailsend.EventType
	for _, e := range bus.got {
		types = append(types, e.Type)
	}
	if want := []gmailsend.EventType{gmailsend.EventSent, gmailsend.EventQueued, gmailsend.EventFailed}; !reflect.DeepEqual(types, want) {
		t.Fatalf("bus got %v, want %v", types, want)
	}
	var pairs []string
	for _, d := range q.got {
		pairs = append(pairs, d.Caller+"/"+d.Endpoint+"/"+d.Event.Data.MessageID)
		if d.Event.Data.APIKeyID != d.Caller {
			t.Errorf("%s's endpoint got %s's event", d.Caller, d.Event.Data.APIKeyID)
		}
	}
	if want := []string{"alice/w1/m-1", "alice/w2/m-1", "bob/w3/m-2"}; !reflect.DeepEqual(pairs, want) {
		t.Fatalf("deliveries %v, want %v", pairs, want)
	}
	want := map[gmailsend.EventType]int{gmailsend.EventSent: 1, gmailsend.EventQueued: 1, gmailsend.EventFailed: 1}
	if !reflect.DeepEqual(rep.Published, want) || rep.Queued != 3 {
		t.Fatalf("report %+v, want published %v and 3 queued", rep, want)
	}
}

// TestFanoutSendsSuppressionsToTheirFollowers ensures a suppression change, which has no caller, goes on the bus and to the endpoints following its account's list only (whichever keys registered them), never to a caller's endpoints by caller, and names its recipient by hash only.
func TestFanoutSendsSuppressionsToTheirFollowers(t *testing.T) {
	at := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	bus, q := &recordingBus{}, &recordingQueue{}
	f := &Fanout{Bus: bus, Deliveries: q, Now: func() time.Time { return at }, Endpoints: endpointsByCaller{
		"alice": {"w1"}, "bob": {"w3"}, "follows:addr:desk": {"alice/w2", "carol/w9"}, "follows:addr:other": {"bob/w3"}}}
	sup := &gmailsend.SuppressionChange{Added: true, Account: "addr:desk", RecipientHash: "ab12", Reason: "bounced", CreatedAt: at}
	unsup := &gmailsend.SuppressionChange{Account: "addr:nobody", RecipientHash: "cd34", CreatedAt: at}
	if rep, err := f.Handle(context.Background(), []Change{{Seq: "1", Suppression: sup}, {Seq: "2", Suppression: unsup}}); rep.RetryFrom != "" || err != nil {
		t.Fatalf("retry %q, %v", rep.RetryFrom, err)
	}
	if len(bus.got) != 2 || bus.got[0].Type != gmailsend.EventSuppressed || bus.got[1].Type != gmailsend.EventUnsuppressed {
		t.Fatalf("bus got %+v", bus.got)
	}
	var pairs []string
	for _, d := range q.got {
		pairs = append(pairs, d.Caller+"/"+d.Endpoint+"/"+string(d.Event.Type)+"/"+d.Event.Data.RecipientHash)
	}
	if want := []string{"alice/w2/recipient.suppressed/ab12", "carol/w9/recipient.suppressed/ab12"}; !reflect.DeepEqual(pairs, want) {
		t.Fatalf("deliveries %v, want %v", pairs, want)
	}
}

// TestFanoutRetriesFromTheUnreadableRecord ensures the records before an unreadable one are published (and reported) and the stream is asked to go again from it, so no later event is skipped.
func TestFanoutRetriesFromTheUnreadableRecord(t *testing.T) {
	at := time.Now()
	bus := &recordingBus{}
	f := &Fanout{Bus: bus}
	bad := Change{Seq: "2", Err: errors.New("bad image")}
	rep, err := f.Handle(context.Background(), []Change{change("1", "a", gmailsend.StatusSending, gmailsend.StatusSent, at), bad, change("3", "a", gmailsend.StatusSending, gmailsend.StatusSent, at)})
	if rep.RetryFrom != "2" || err == nil || rep.Published[gmailsend.EventSent] != 1 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if len(bus.got) != 1 || bus.got[0].Data.MessageID != "m-1" {
		t.Fatalf("bus got %+v", bus.got)
	}
}

// TestFanoutRetriesTheBatchWhenTheBusFails ensures a bus failure asks for the whole batch again and reports nothing published, and the replay carries the same event ids.
func TestFanoutRetriesTheBatchWhenTheBusFails(t *testing.T) {
	at := time.Now()
	batch := []Change{change("7", "a", gmailsend.StatusSending, gmailsend.StatusSent, at), change("8", "a", gmailsend.StatusSending, gmailsend.StatusSent, at)}
	bus := &recordingBus{fail: errors.New("throttled")}
	f := &Fanout{Bus: bus}
	if rep, err := f.Handle(context.Background(), batch); rep.RetryFrom != "7" || err == nil || len(rep.Published) != 0 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	first := gmailsend.EventsOf(batch[0].Old, batch[0].New)[0].ID
	bus.fail = nil
	if rep, err := f.Handle(context.Background(), batch); rep.RetryFrom != "" || err != nil || rep.Published[gmailsend.EventSent] != 2 {
		t.Fatalf("replay: %+v %v", rep, err)
	}
	if bus.got[0].ID != first {
		t.Fatal("the replay changed the event id")
	}
}

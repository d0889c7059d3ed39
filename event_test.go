package gmailsend

import (
	"reflect"
	"testing"
	"time"
)

func recordAt(st Status, at time.Time) *Record {
	return &Record{ID: "m1", Status: st, Caller: "key1", Account: "desk", Source: "apigateway-rest", UpdatedAt: at}
}

// TestEventsOfStatusChanges ensures each change of status a caller can act on makes exactly one event of its type, and steps (sending, a takeover, a mark) make none.
func TestEventsOfStatusChanges(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		old, new *Record
		want     []EventType
	}{
		{nil, recordAt(StatusSending, t0), nil},
		{nil, recordAt(StatusQueued, t0), []EventType{EventQueued}},
		{nil, recordAt(StatusScheduled, t0), []EventType{EventScheduled}},
		{recordAt(StatusQueued, t0), recordAt(StatusSending, t0.Add(time.Second)), nil},
		{recordAt(StatusSending, t0), recordAt(StatusSending, t0.Add(time.Second)), nil},
		{recordAt(StatusSending, t0), recordAt(StatusSent, t0.Add(time.Second)), []EventType{EventSent}},
		{recordAt(StatusSending, t0), recordAt(StatusFailed, t0.Add(time.Second)), []EventType{EventFailed}},
		{recordAt(StatusSending, t0), recordAt(StatusUnknown, t0.Add(time.Second)), []EventType{EventUnknown}},
		{recordAt(StatusSending, t0), recordAt(StatusQueued, t0.Add(time.Second)), []EventType{EventQueued}},
		{recordAt(StatusScheduled, t0), recordAt(StatusCancelled, t0.Add(time.Second)), []EventType{EventCancelled}},
		{recordAt(StatusSent, t0), nil, nil},
	}
	for i, c := range cases {
		var got []EventType
		for _, e := range EventsOf(c.old, c.new) {
			got = append(got, e.Type)
			if e.Data.MessageID != "m1" || e.Data.APIKeyID != "key1" || e.Data.Status != c.new.Status {
				t.Errorf("case %d: data %+v", i, e.Data)
			}
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("case %d: %v → %v: got %v, want %v", i, c.old, c.new, got, c.want)
		}
	}
}

// TestEventsOfBouncesNameEachRecipient ensures a bounce reader's write makes one event per new recipient entry, with the recipient's hash and the notification's code, and a second notification for another recipient makes only its own.
func TestEventsOfBouncesNameEachRecipient(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	sent := recordAt(StatusSent, t0)
	sent.Reply = &SMTPReply{Code: 250, Message: "ok"}
	b1 := *sent
	b1.Status, b1.UpdatedAt = StatusBounced, t0.Add(time.Hour)
	b1.Bounces = map[string]BounceMark{"aa": {Action: "bounced", Status: "5.1.1", At: t0.Add(time.Hour)}}
	evs := EventsOf(sent, &b1)
	if len(evs) != 1 || evs[0].Type != EventBounced || evs[0].Data.RecipientHash != "aa" || evs[0].Data.Code != "5.1.1" || evs[0].Data.Reply != nil {
		t.Fatalf("first bounce: %+v", evs)
	}
	b2 := b1
	b2.Bounces = map[string]BounceMark{"aa": b1.Bounces["aa"], "bb": {Action: "delayed", Status: "4.4.1", At: t0.Add(2 * time.Hour)}}
	evs2 := EventsOf(&b1, &b2)
	if len(evs2) != 1 || evs2[0].Type != EventDelayed || evs2[0].Data.RecipientHash != "bb" {
		t.Fatalf("second notification: %+v", evs2)
	}
	if evs2[0].ID == evs[0].ID {
		t.Fatal("two changes share an id")
	}
}

// TestEventIDStableAcrossReplays ensures the same change gives the same id every time it is derived (a stream retry), and another change another id.
func TestEventIDStableAcrossReplays(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	a := EventsOf(recordAt(StatusSending, t0), recordAt(StatusSent, t0.Add(time.Second)))
	b := EventsOf(recordAt(StatusSending, t0), recordAt(StatusSent, t0.Add(time.Second)))
	c := EventsOf(recordAt(StatusSending, t0), recordAt(StatusFailed, t0.Add(time.Second)))
	if a[0].ID != b[0].ID || a[0].ID == c[0].ID || len(a[0].ID) != len("evt_")+32 {
		t.Fatalf("ids %s %s %s", a[0].ID, b[0].ID, c[0].ID)
	}
}

// TestEveryStatusEventListed ensures each status a caller can reach has an event type and every type is listed in EventTypes.
func TestEveryStatusEventListed(t *testing.T) {
	listed := map[EventType]bool{}
	for _, e := range EventTypes() {
		listed[e] = true
	}
	for _, s := range Statuses() {
		e, ok := eventOfStatus[s]
		if s == StatusSending {
			if ok {
				t.Error("sending has an event")
			}
			continue
		}
		if !ok || !listed[e] {
			t.Errorf("status %s has no listed event", s)
		}
	}
}

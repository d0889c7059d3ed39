package bounce_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/bounce"
)

// sinkLog keeps each record's changes as "sent→delayed delayed→bounced".
type sinkLog struct {
	mu    sync.Mutex
	paths map[string]string
	last  gmailsend.StatusChange
}

func (s *sinkLog) StatusChanged(_ context.Context, c gmailsend.StatusChange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paths == nil {
		s.paths = map[string]string{}
	}
	s.paths[c.ID] = strings.TrimSpace(s.paths[c.ID] + " " + string(c.From) + "→" + string(c.To))
	s.last = c
}

// TestApplyTellsTheSinkEveryChange ensures the reader's sink hears of each status a notification writes (a delay, the bounce after it, a second recipient's outcome on a bounced record), from the status as read, and of nothing a duplicate or a forgery naming a stranger leaves unchanged.
func TestApplyTellsTheSinkEveryChange(t *testing.T) {
	r := newRig(t, bounce.DefaultOptions())
	sink := &sinkLog{}
	r.reader.Sink = sink
	postfix := r.sent(t, "credential:desk", postfixID, postfixTo)
	multi := r.sent(t, "credential:desk", multiID, multiTo...)
	r.sent(t, "credential:desk", gmailID, gmailTo)
	delayed := bytes.Replace(sample(t, "postfix-failed.eml"), []byte("Action: failed\r\nStatus: 5.2.1"), []byte("Action: delayed\r\nStatus: 4.4.1"), 1)
	r.deliver(t, delayed)
	r.deliver(t, delayed)
	r.deliver(t, daemon(gmailID, "ceo@bigcustomer.example").bytes())
	r.deliver(t, sample(t, "postfix-multi-recipient.eml"))
	r.run(t)
	r.deliver(t, sample(t, "postfix-failed.eml"))
	r.run(t)

	want := map[string]string{postfix: "sent→delayed delayed→bounced", multi: "sent→bounced bounced→bounced"}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	for id, path := range want {
		if sink.paths[id] != path {
			t.Errorf("record %s: the sink heard %q, want %q", id, sink.paths[id], path)
		}
	}
	if len(sink.paths) != len(want) {
		t.Errorf("the sink heard of %d records, want %d: %v", len(sink.paths), len(want), sink.paths)
	}
	if l := sink.last; l.ID != postfix || l.Source != bounce.SourceBounce || l.Code != "5.2.1" || l.Recipient != bounce.AddressHash(postfixTo) || l.Account != "credential:desk" {
		t.Errorf("last change %+v", l)
	}
}

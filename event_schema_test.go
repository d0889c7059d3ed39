package gmailsend_test

import (
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/eventschema"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestEveryEventMatchesItsSchema ensures api/events has a schema for exactly the event types the code emits, and every event of every allowed transition (and of bounces, suppressions and the webhook test) validates against its type's schema.
func TestEveryEventMatchesItsSchema(t *testing.T) {
	s, err := eventschema.Load(filepath.Join(fixture.ModuleRoot(t), "api", "events"))
	if err != nil {
		t.Fatal(err)
	}
	var code []string
	for _, e := range gmailsend.EventTypes() {
		code = append(code, string(e))
	}
	schemas := s.Types()
	sort.Strings(code)
	sort.Strings(schemas)
	if strings.Join(code, " ") != strings.Join(schemas, " ") {
		t.Fatalf("schemas for %v, code emits %v", schemas, code)
	}
	at := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	var evs []gmailsend.Event
	statuses := append([]gmailsend.Status{""}, gmailsend.Statuses()...)
	for _, from := range statuses {
		for _, to := range gmailsend.Statuses() {
			if !gmailsend.CanMove(from, to) {
				continue
			}
			r := &gmailsend.Record{ID: "m1", Status: to, Account: "desk", Source: "sqs", Caller: "k1", UpdatedAt: at,
				MessageID: "<m1@gmail.com>", ErrorCode: gmailsend.CodeDeliveryUnknown, ScheduledAt: &at,
				Reply: &gmailsend.SMTPReply{Code: 250, EnhancedCode: "2.0.0", Message: "OK"}}
			var old *gmailsend.Record
			if from != "" {
				o := *r
				o.Status = from
				old = &o
			}
			if to == gmailsend.StatusBounced || to == gmailsend.StatusDelayed {
				r.Bounces = map[string]gmailsend.BounceMark{"0123456789abcdef0123456789abcdef": {Action: string(to), Status: "5.1.1", At: at}}
			}
			evs = append(evs, gmailsend.EventsOf(old, r)...)
		}
	}
	evs = append(evs, gmailsend.SuppressionEvent(true, "acct", "0123456789abcdef0123456789abcdef", "bounce", "m1", at, at),
		gmailsend.SuppressionEvent(false, "acct", "0123456789abcdef0123456789abcdef", "manual", "", at, at),
		gmailsend.Event{ID: gmailsend.EventID("webhook.test", "w1", at), Type: gmailsend.EventWebhookTest, Timestamp: at})
	seen := map[gmailsend.EventType]bool{}
	for _, e := range evs {
		seen[e.Type] = true
		b, _ := json.Marshal(e)
		if err := s.Validate(b); err != nil {
			t.Errorf("%s: %v\n%s", e.Type, err, b)
		}
	}
	for _, ty := range gmailsend.EventTypes() {
		if !seen[ty] {
			t.Errorf("no transition made a %s event to check", ty)
		}
	}
}

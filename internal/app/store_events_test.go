package app_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestEventRetriesReplay ensures an EventBridge event or SNS notification delivered twice (Lambda's asynchronous retries) is sent once: its event id / MessageId is the default idempotency key.
func TestEventRetriesReplay(t *testing.T) {
	h := newHarness(t, setup{Store: true})
	for _, f := range []string{"eventbridge.json", "sns.json"} {
		raw, err := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), "events", f))
		if err != nil {
			t.Fatal(err)
		}
		before := len(h.srv.Messages())
		for i := 0; i < 2; i++ {
			if _, err := h.invoke(t, raw); err != nil {
				t.Fatalf("%s delivery %d: %v", f, i+1, err)
			}
		}
		if n := len(h.srv.Messages()) - before; n != 1 {
			t.Fatalf("%s delivered twice: %d messages, want 1", f, n)
		}
	}
}

package lambdahandler

import (
	"errors"
	"testing"

	"github.com/gmailsend/gmailsend/internal/sender"
)

// TestStoreAttrs ensures the log line names the record, a replay, and a table failure by code only (never its cause's text).
func TestStoreAttrs(t *testing.T) {
	attrs := storeAttrs(sender.Outcome{RecordID: "abc", Replayed: true, StoreError: errors.New("dynamostore: secret detail")})
	got := map[string]string{}
	for _, a := range attrs {
		got[a.Key] = a.Value.String()
	}
	if got["id"] != "abc" || got["replayed"] != "true" || got["storeError"] != "internal" {
		t.Fatalf("attrs %v", got)
	}
	if len(storeAttrs(sender.Outcome{})) != 0 {
		t.Fatal("a stateless send logs store attributes")
	}
}

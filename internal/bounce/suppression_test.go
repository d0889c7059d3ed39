package bounce_test

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/bounce"
)

// TestKeys ensures the suppression list's keys ignore case and spaces, hold
// no address, and that an account's key is the records' key of the same
// mailbox sent with an inline password (so both meet on one account).
func TestKeys(t *testing.T) {
	if bounce.AddressHash("Gone@Example.NET ") != bounce.AddressHash("gone@example.net") {
		t.Error("AddressHash depends on case or spaces")
	}
	if bounce.AddressHash("a@example.com") == bounce.AddressHash("b@example.com") {
		t.Error("different addresses share a hash")
	}
	if h := bounce.AddressHash("gone@example.net"); len(h) != 32 || strings.Contains(h, "gone") {
		t.Errorf("hash %q", h)
	}
	if got, want := bounce.AccountKey("Sender@Gmail.com"), gmailsend.AccountOf("", "sender@gmail.com"); got != want {
		t.Errorf("AccountKey %q, records use %q", got, want)
	}
}

package gmailsend

import (
	"strings"
	"testing"
)

// TestCheckKey ensures keys of 1–256 printable ASCII characters pass and anything else is invalid_request naming the field.
func TestCheckKey(t *testing.T) {
	for _, ok := range []string{"a", "order-1024/retry", strings.Repeat("k", 256), "~!@#$%^&*() "} {
		if err := CheckKey(ok, "idempotencyKey"); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", strings.Repeat("k", 257), "tab\there", "line\nbreak", "한글", "\x7f"} {
		e := AsError(CheckKey(bad, "Idempotency-Key"))
		if e == nil || e.Code != CodeInvalidRequest || e.Field != "Idempotency-Key" {
			t.Errorf("%q: %v", bad, e)
		}
	}
}

// TestKeyedIDIsScopedPerCaller ensures the same key names the same record for one caller and a different one for another.
func TestKeyedIDIsScopedPerCaller(t *testing.T) {
	a, b := KeyedID("key-a", "k"), KeyedID("key-b", "k")
	if a != KeyedID("key-a", "k") || a == b || !ValidID(a) || !ValidID(NewID()) || ValidID("../etc") {
		t.Fatalf("ids %s %s", a, b)
	}
}

// TestAccountOfHidesTheAddress ensures an inline account is an opaque, case-insensitive hash and a stored one its credential name.
func TestAccountOfHidesTheAddress(t *testing.T) {
	a := AccountOf("", "Sender@Gmail.com")
	if a != AccountOf("", "sender@gmail.com") || strings.Contains(a, "sender") || !strings.HasPrefix(a, "addr:") {
		t.Fatalf("account %s", a)
	}
	if AccountOf("desk", "x@gmail.com") != "credential:desk" {
		t.Fatal("stored credential account")
	}
}

// TestRedactedReply ensures an address quoted by the server is removed from the stored reply, and the codes are kept.
func TestRedactedReply(t *testing.T) {
	r := Redacted(&SMTPReply{Code: 550, EnhancedCode: "5.1.1", Message: "The email account <kim@example.com> does not exist; lee@example.co.kr too"})
	if strings.Contains(r.Message, "@") || r.Code != 550 || r.EnhancedCode != "5.1.1" || !strings.Contains(r.Message, "[address]") {
		t.Fatalf("redacted %+v", r)
	}
}

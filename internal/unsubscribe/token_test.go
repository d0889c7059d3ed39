package unsubscribe

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/bounce"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func sample() Token {
	return Token{Account: bounce.AccountKey("sender@gmail.com"), AddressHash: bounce.AddressHash("kim@example.com"), Message: "0123456789abcdefghjkmnpqrs"}
}

// TestRoundTrip ensures a signed token verifies to what was signed and
// holds no address in clear.
func TestRoundTrip(t *testing.T) {
	s, err := Sign(testKey, sample())
	if err != nil {
		t.Fatal(err)
	}
	got, err := Verify(testKey, s)
	if err != nil || got != sample() {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
	if strings.Contains(s, "kim") || strings.Contains(s, "example") {
		t.Errorf("token %q shows the address", s)
	}
}

// TestForgedOrAlteredRefused ensures any changed character, another key,
// a truncated or extended token and garbage are all ErrInvalid.
func TestForgedOrAlteredRefused(t *testing.T) {
	s, _ := Sign(testKey, sample())
	var bad []string
	for i := range s {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		bad = append(bad, s[:i]+string(c)+s[i+1:])
	}
	other, _ := Sign(bytes.Repeat([]byte{8}, 32), sample())
	bad = append(bad, other, s[:len(s)-1], s+"A", "", "not-a-token", strings.Repeat("A", len(s)))
	for _, b := range bad {
		if _, err := Verify(testKey, b); !errors.Is(err, ErrInvalid) {
			t.Errorf("Verify(%q) = %v, want ErrInvalid", b, err)
		}
	}
	if _, err := Verify(testKey[:16], s); !errors.Is(err, ErrInvalid) {
		t.Error("a short key verified a token")
	}
}

// TestDocsStateTheTokenShape ensures docs/unsubscribe.md's token length is the code's.
func TestDocsStateTheTokenShape(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), "docs", "unsubscribe.md"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := Sign(testKey, sample())
	want := fmt.Sprintf("%d URL-safe base64 characters of %d bytes", len(s), tokenBytes)
	if !strings.Contains(string(doc), want) {
		t.Errorf("docs/unsubscribe.md does not say %q", want)
	}
}

package enmimedsn

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gmailsend/gmailsend/internal/bounce"
)

// FuzzParse ensures no input makes Parse panic, and that whatever it
// returns keeps its bounds: a usable Message-ID, at most bounce.MaxRecipients,
// diagnostics short, printable and free of addresses.
func FuzzParse(f *testing.F) {
	samples, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, s := range samples {
		raw, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		n, err := Parse(raw)
		if err != nil && !errors.Is(err, bounce.ErrNoMessageID) {
			if n.MessageID != "" || len(n.Recipients) != 0 {
				t.Fatalf("error %v with a result", err)
			}
			return
		}
		if err == nil && usableMessageID(n.MessageID) != n.MessageID {
			t.Fatalf("unusable Message-ID %q accepted", n.MessageID)
		}
		if len(n.Recipients) == 0 || len(n.Recipients) > bounce.MaxRecipients {
			t.Fatalf("%d recipients", len(n.Recipients))
		}
		for _, r := range n.Recipients {
			if !strings.Contains(r.Address, "@") || r.Address != strings.ToLower(r.Address) {
				t.Fatalf("address %q", r.Address)
			}
			if len(r.Diagnostic) > bounce.MaxDiagnostic || strings.Contains(r.Diagnostic, "@") || !utf8.ValidString(r.Diagnostic) ||
				strings.ContainsAny(r.Diagnostic, "\r\n\t\x00") {
				t.Fatalf("diagnostic %q", r.Diagnostic)
			}
			if r.Status != "" && !bounce.ValidStatus(r.Status) {
				t.Fatalf("status %q", r.Status)
			}
		}
	})
}

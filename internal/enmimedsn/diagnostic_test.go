package enmimedsn

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/internal/bounce"
)

// TestCleanDiagnostic ensures diagnostics are one printable line with every
// address replaced.
func TestCleanDiagnostic(t *testing.T) {
	for in, want := range map[string]string{
		"smtp; 550 5.1.1 <gone@example.net>: Recipient\r\n    rejected": "smtp; 550 5.1.1 <address>: Recipient rejected",
		"smtp; 550 user x@y.z unknown":                                  "smtp; 550 user <address> unknown",
		"smtp; 550 (\"a@b\")":                                           "smtp; 550 (\"<address>\")",
		"smtp;\x00\x1b[31m 421\ttry later":                              "smtp; [31m 421 try later",
		"bad utf-8 \xff\xfe here":                                       "bad utf-8 here",
		"@":                                                             "<address>",
	} {
		if got := cleanDiagnostic(in); got != want {
			t.Errorf("cleanDiagnostic(%q) = %q, want %q", in, got, want)
		}
	}
	if got := cleanDiagnostic(strings.Repeat("x@y ", 1000)); strings.Contains(got, "@") || len(got) > bounce.MaxDiagnostic {
		t.Errorf("long input: %d bytes, %q…", len(got), got[:40])
	}
}

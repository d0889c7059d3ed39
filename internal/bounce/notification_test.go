package bounce

import "testing"

// TestOutcomeAndSuppress ensures the classification table: failed is
// bounced, delayed is delayed, and only 5.1.x and 5.2.1 failures suppress.
func TestOutcomeAndSuppress(t *testing.T) {
	tests := []struct {
		action, status string
		outcome        Outcome
		suppress       bool
		permanent      bool
	}{
		{"failed", "5.1.1", Bounced, true, true},   // no such user
		{"failed", "5.1.10", Bounced, true, true},  // null MX
		{"failed", "5.2.1", Bounced, true, true},   // mailbox disabled
		{"failed", "5.2.2", Bounced, false, true},  // mailbox full: the address lives
		{"failed", "5.7.1", Bounced, false, true},  // refused content or sender
		{"failed", "4.4.1", Bounced, false, false}, // Postfix gave up after retrying
		{"failed", "", Bounced, false, false},
		{"delayed", "4.4.1", Delayed, false, false},
		{"delayed", "5.1.1", Delayed, false, true}, // a delay never suppresses
		{"delivered", "2.0.0", None, false, false},
		{"relayed", "2.0.0", None, false, false},
		{"", "5.1.1", None, false, true},
	}
	for _, tt := range tests {
		r := Recipient{Address: "a@example.com", Action: tt.action, Status: tt.status}
		if r.Outcome() != tt.outcome || r.Suppress() != tt.suppress || r.Permanent() != tt.permanent {
			t.Errorf("%s %s: outcome %q suppress %v permanent %v, want %q %v %v", tt.action, tt.status,
				r.Outcome(), r.Suppress(), r.Permanent(), tt.outcome, tt.suppress, tt.permanent)
		}
	}
}

// TestSplitStatus ensures only RFC 3463 shaped codes are accepted.
func TestSplitStatus(t *testing.T) {
	for s, ok := range map[string]bool{
		"5.1.1": true, "4.4.1": true, "2.0.0": true, "5.123.456": true,
		"": false, "5.1": false, "3.1.1": false, "55.1.1": false, "5.1.1.1": false,
		"5.+1.1": false, "5.1.1234": false, "5..1": false, "x.1.1": false,
	} {
		if _, _, _, got := splitStatus(s); got != ok {
			t.Errorf("splitStatus(%q) ok = %v, want %v", s, got, ok)
		}
	}
}

package bounce_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/bounce"
)

// TestAdmit ensures the rule of what a notification may change: only a
// sent record of the account, only the entry of one of its recipients
// (none on a record without recipient keys), never back from bounced, and
// diagnostics within the record's budget.
func TestAdmit(t *testing.T) {
	kim, lee := bounce.AddressHash("kim@example.com"), bounce.AddressHash("lee@example.com")
	ceo := bounce.AddressHash("ceo@bigcustomer.example")
	full := map[string]gmailsend.BounceMark{}
	for i := 0; len(full)*bounce.MaxDiagnostic < bounce.MaxRecordDiagnostics; i++ {
		full[bounce.AddressHash(strings.Repeat("x", i)+"@example.com")] = gmailsend.BounceMark{Action: "bounced", Diagnostic: strings.Repeat("d", bounce.MaxDiagnostic)}
	}
	sent := func(bounces map[string]gmailsend.BounceMark) bounce.Target {
		return bounce.Target{Account: "credential:desk", Status: gmailsend.StatusSent, RecipientKeys: []string{kim, lee}, Bounces: bounces}
	}
	delayedKim := map[string]gmailsend.BounceMark{kim: {Action: "delayed", Status: "4.4.1"}}
	bouncedKim := map[string]gmailsend.BounceMark{kim: {Action: "bounced", Status: "5.1.1"}}
	tests := []struct {
		name       string
		target     bounce.Target
		recipient  string
		outcome    bounce.Outcome
		diagnostic string
		applied    bounce.Applied
		status     gmailsend.Status
		keptDiag   int // bytes of the diagnostic written
	}{
		{"a recipient bounced", sent(nil), kim, bounce.Bounced, "550 5.1.1", bounce.Updated, gmailsend.StatusBounced, 9},
		{"a recipient delayed", sent(nil), lee, bounce.Delayed, "", bounce.Updated, gmailsend.StatusDelayed, 0},
		{"not a recipient", sent(nil), ceo, bounce.Bounced, "", bounce.NotRecipient, "", 0},
		{"a record without recipient keys", bounce.Target{Account: "credential:desk", Status: gmailsend.StatusSent}, kim, bounce.Bounced, "", bounce.NotRecipient, "", 0},
		{"another account's record", bounce.Target{Account: "credential:other", Status: gmailsend.StatusSent, RecipientKeys: []string{kim}}, kim, bounce.Bounced, "", bounce.NotFound, "", 0},
		{"a record never sent", bounce.Target{Account: "credential:desk", Status: gmailsend.StatusFailed, RecipientKeys: []string{kim}}, kim, bounce.Bounced, "", bounce.NotFound, "", 0},
		{"an unknown send bounced", bounce.Target{Account: "addr:1", Status: gmailsend.StatusUnknown, RecipientKeys: []string{kim}}, kim, bounce.Bounced, "", bounce.Updated, gmailsend.StatusBounced, 0},
		{"the same delay again", sent(delayedKim), kim, bounce.Delayed, "", bounce.Duplicate, "", 0},
		{"a bounce after a delay", sent(delayedKim), kim, bounce.Bounced, "", bounce.Updated, gmailsend.StatusBounced, 0},
		{"a delay after a bounce", sent(bouncedKim), kim, bounce.Delayed, "", bounce.Duplicate, "", 0},
		{"another recipient delayed on a bounced record", bounce.Target{Account: "credential:desk", Status: gmailsend.StatusBounced, RecipientKeys: []string{kim, lee}, Bounces: bouncedKim}, lee, bounce.Delayed, "", bounce.Updated, gmailsend.StatusBounced, 0},
		{"no outcome", sent(nil), kim, bounce.None, "", bounce.Duplicate, "", 0},
		{"a diagnostic past the record's budget", bounce.Target{Account: "credential:desk", Status: gmailsend.StatusBounced, RecipientKeys: []string{kim}, Bounces: full}, kim, bounce.Bounced, "550 5.1.1", bounce.Updated, gmailsend.StatusBounced, 0},
		{"an overlong diagnostic", sent(nil), kim, bounce.Bounced, strings.Repeat("가", bounce.MaxDiagnostic), bounce.Updated, gmailsend.StatusBounced, bounce.MaxDiagnostic / 3 * 3},
	}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		e := bounce.Event{Owners: []string{"credential:desk", "addr:1"}, MessageID: "<m@gmail.com>", RecipientHash: tt.recipient,
			Outcome: tt.outcome, Status: "5.1.1", Diagnostic: tt.diagnostic, At: at}
		change, applied := e.Admit(tt.target)
		if applied != tt.applied || change.Status != tt.status || len(change.Mark.Diagnostic) != tt.keptDiag {
			t.Errorf("%s: %v %q with a %d-byte diagnostic, want %v %q %d", tt.name, applied, change.Status, len(change.Mark.Diagnostic), tt.applied, tt.status, tt.keptDiag)
		}
		if applied == bounce.Updated && (change.Mark.Action != string(tt.outcome) || change.Mark.Status != "5.1.1" || !change.Mark.At.Equal(at)) {
			t.Errorf("%s: mark %+v", tt.name, change.Mark)
		}
	}
}

// TestTrusted ensures a notification is trusted only from a configured
// address (never a display name) with an empty envelope sender.
func TestTrusted(t *testing.T) {
	senders := []string{"mailer-daemon@googlemail.com", " MAILER-DAEMON@relay.example.org"}
	for _, tt := range []struct {
		from, returnPath string
		want             bool
	}{
		{"mailer-daemon@googlemail.com", "<>", true},
		{"mailer-daemon@relay.example.org", "< >", true},
		{"prankster@evil.example", "<>", false}, // "mailer-daemon fan club" <prankster@evil.example>
		{"mailer-daemon@googlemail.com.evil.example", "<>", false},
		{"mailer-daemon@googlemail.com", "<prankster@evil.example>", false},
		{"mailer-daemon@googlemail.com", "", false}, // no envelope sender shown
		{"", "<>", false},
	} {
		n := bounce.Notification{From: tt.from, ReturnPath: tt.returnPath}
		if got := n.Trusted(senders); got != tt.want {
			t.Errorf("From %q Return-Path %q: trusted %v, want %v", tt.from, tt.returnPath, got, tt.want)
		}
	}
}

// TestRecipientKeys ensures a record keeps one key per distinct recipient,
// case and spaces ignored, at most bounce.MaxRecipientKeys.
func TestRecipientKeys(t *testing.T) {
	keys := bounce.RecipientKeys([]string{"Kim@Example.com", "kim@example.com ", "lee@example.com"})
	if len(keys) != 2 || keys[0] != bounce.AddressHash("kim@example.com") || keys[1] != bounce.AddressHash("lee@example.com") {
		t.Errorf("keys %q", keys)
	}
	many := make([]string, bounce.MaxRecipientKeys+5)
	for i := range many {
		many[i] = strings.Repeat("a", i+1) + "@example.com"
	}
	if n := len(bounce.RecipientKeys(many)); n != bounce.MaxRecipientKeys {
		t.Errorf("%d keys kept", n)
	}
}

package emf

import (
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/emfcheck"
)

func series(t *testing.T, line string) []string {
	t.Helper()
	ss, err := emfcheck.Decode([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range ss {
		out = append(out, s.String())
	}
	return out
}

// TestSendPublishesOutcomeSourceAndAccount ensures a stored-credential send publishes every per-send metric by outcome and by source, and StoredCredentialSends by outcome and by account.
func TestSendPublishesOutcomeSourceAndAccount(t *testing.T) {
	w, buf := newWriter(t)
	w.Now = func() time.Time { return time.Now().Add(-time.Minute) }
	if err := w.Send(Send{Source: "sqs", Outcome: "smtp_auth_failed", Credential: "support-desk",
		Duration: 1500 * time.Microsecond, RoundTrips: 6, Recipients: 2}); err != nil {
		t.Fatal(err)
	}
	got := series(t, lines(t, buf)[0])
	want := []string{
		"Duration 1.5 Milliseconds {Outcome=smtp_auth_failed}",
		"Duration 1.5 Milliseconds {Source=sqs, Outcome=smtp_auth_failed}",
		"Recipients 2 Count {Outcome=smtp_auth_failed}",
		"Recipients 2 Count {Source=sqs, Outcome=smtp_auth_failed}",
		"SMTPRoundTrips 6 Count {Outcome=smtp_auth_failed}",
		"SMTPRoundTrips 6 Count {Source=sqs, Outcome=smtp_auth_failed}",
		"Sends 1 Count {Outcome=smtp_auth_failed}",
		"Sends 1 Count {Source=sqs, Outcome=smtp_auth_failed}",
		"StoredCredentialSends 1 Count {Account=support-desk, Outcome=smtp_auth_failed}",
		"StoredCredentialSends 1 Count {Outcome=smtp_auth_failed}",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestInlineSendHasNoAccount ensures a send with an inline password publishes no account dimension at all.
func TestInlineSendHasNoAccount(t *testing.T) {
	w, buf := newWriter(t)
	if err := w.Send(Send{Source: "direct", Outcome: "sent", Recipients: 1}); err != nil {
		t.Fatal(err)
	}
	line := lines(t, buf)[0]
	if strings.Contains(line, "Account") || strings.Contains(line, "StoredCredentialSends") {
		t.Fatal(line)
	}
}

// TestAccountNeverAnAddress ensures an address-like or non-ASCII name becomes a stable hash, and a plain name stays readable.
func TestAccountNeverAnAddress(t *testing.T) {
	if got := Account("support-desk"); got != "support-desk" {
		t.Fatal(got)
	}
	for _, name := range []string{"kim@example.com", "team/kim@gmail.com", "지원팀", "a b"} {
		got := Account(name)
		if !strings.HasPrefix(got, "acct-") || len(got) != 17 || strings.Contains(got, "@") || Account(name) != got {
			t.Errorf("%q → %q", name, got)
		}
	}
	// printf %s kim@example.com | sha256sum | cut -c1-12, as docs/operations.md documents.
	if got := Account("kim@example.com"); got != "acct-5d9a0087d4cc" {
		t.Fatal(got)
	}
}

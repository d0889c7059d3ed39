package setupcli

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/internal/email"
)

// TestAdviceMatchesReplies ensures each row is chosen for the reply it names and no advice is invented for other errors.
func TestAdviceMatchesReplies(t *testing.T) {
	reply := func(code email.Code, c int, enh string) *email.Error {
		return &email.Error{Code: code, SMTP: &email.SMTPReply{Code: c, EnhancedCode: enh, Message: "…"}}
	}
	cases := []struct {
		err  *email.Error
		want int // index in Troubleshooting, -1 for none
	}{
		{reply(email.CodeSMTPAuthFailed, 535, "5.7.8"), 0},
		{reply(email.CodeSMTPAuthFailed, 534, "5.7.9"), 1},
		{reply(email.CodeSMTPAuthFailed, 534, "5.7.14"), 2},
		{&email.Error{Code: email.CodeSMTPAuthFailed, Message: "Gmail refused the OAuth access token: it lacks the https://mail.google.com/ scope; …"}, 3},
		{&email.Error{Code: email.CodeOAuthRefreshFailed, Message: "the stored refresh token was revoked or has expired (invalid_grant). …"}, 4},
		{reply(email.CodeRateLimited, 550, "5.4.5"), 5},
		{reply(email.CodeRateLimited, 421, "4.7.0"), 6},
		{reply(email.CodeSMTPRejected, 552, "5.3.4"), 7},
		{reply(email.CodeSMTPRejected, 550, "5.7.1"), 8},
		{&email.Error{Code: email.CodeTLSRequired, Message: "TLS with the SMTP server failed: the certificate is signed by an unknown authority …"}, 9},
		{&email.Error{Code: email.CodeSMTPAuthFailed, Message: "Gmail refused the OAuth access token (expired, revoked, or for another account)"}, -1},
		{reply(email.CodeSMTPRejected, 550, "5.1.1"), -1},
		{&email.Error{Code: email.CodeCredentialNotFound, Message: "no stored credential named x"}, -1},
	}
	for _, c := range cases {
		want := ""
		if c.want >= 0 {
			want = strings.ReplaceAll(Troubleshooting[c.want].Do, "`", "")
		}
		if got := adviceFor(c.err, true); got != want {
			t.Errorf("%s %+v: got %q, want %q", c.err.Code, c.err.SMTP, got, want)
		}
	}
}

// TestLocalAdviceNamesFlags ensures advice about a login the command made itself names its flags (--ca-file), while the deployed function's answer keeps the function's settings (SMTP_CA_FILE).
func TestLocalAdviceNamesFlags(t *testing.T) {
	tlsErr := &email.Error{Code: email.CodeTLSRequired, Message: "TLS with the SMTP server failed: the certificate is signed by an unknown authority"}
	if got := adviceFor(tlsErr, false); !strings.Contains(got, "--ca-file") || !strings.Contains(got, "--smtp-host") || strings.Contains(got, "SMTP_") {
		t.Errorf("local advice: %q", got)
	}
	if got := adviceFor(tlsErr, true); !strings.Contains(got, "SMTP_CA_FILE") {
		t.Errorf("remote advice: %q", got)
	}
}

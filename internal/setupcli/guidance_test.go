package setupcli

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend"
)

// TestAdviceMatchesReplies ensures each row is chosen for the reply it names and no advice is invented for other errors.
func TestAdviceMatchesReplies(t *testing.T) {
	reply := func(code gmailsend.Code, c int, enh string) *gmailsend.Error {
		return &gmailsend.Error{Code: code, SMTP: &gmailsend.SMTPReply{Code: c, EnhancedCode: enh, Message: "…"}}
	}
	cases := []struct {
		err  *gmailsend.Error
		want int // index in Troubleshooting, -1 for none
	}{
		{reply(gmailsend.CodeSMTPAuthFailed, 535, "5.7.8"), 0},
		{reply(gmailsend.CodeSMTPAuthFailed, 534, "5.7.9"), 1},
		{reply(gmailsend.CodeSMTPAuthFailed, 534, "5.7.14"), 2},
		{&gmailsend.Error{Code: gmailsend.CodeSMTPAuthFailed, Message: "Gmail refused the OAuth access token: it lacks the https://mail.google.com/ scope; …"}, 3},
		{&gmailsend.Error{Code: gmailsend.CodeOAuthRefreshFailed, Message: "the stored refresh token was revoked or has expired (invalid_grant). …"}, 4},
		{reply(gmailsend.CodeRateLimited, 550, "5.4.5"), 5},
		{reply(gmailsend.CodeRateLimited, 421, "4.7.0"), 6},
		{reply(gmailsend.CodeSMTPRejected, 552, "5.3.4"), 7},
		{reply(gmailsend.CodeSMTPRejected, 550, "5.7.1"), 8},
		{&gmailsend.Error{Code: gmailsend.CodeTLSRequired, Message: "TLS with the SMTP server failed: the certificate is signed by an unknown authority …"}, 9},
		{&gmailsend.Error{Code: gmailsend.CodeSMTPAuthFailed, Message: "Gmail refused the OAuth access token (expired, revoked, or for another account)"}, -1},
		{reply(gmailsend.CodeSMTPRejected, 550, "5.1.1"), -1},
		{&gmailsend.Error{Code: gmailsend.CodeCredentialNotFound, Message: "no stored credential named x"}, -1},
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
	tlsErr := &gmailsend.Error{Code: gmailsend.CodeTLSRequired, Message: "TLS with the SMTP server failed: the certificate is signed by an unknown authority"}
	if got := adviceFor(tlsErr, false); !strings.Contains(got, "--ca-file") || !strings.Contains(got, "--smtp-host") || strings.Contains(got, "SMTP_") {
		t.Errorf("local advice: %q", got)
	}
	if got := adviceFor(tlsErr, true); !strings.Contains(got, "SMTP_CA_FILE") {
		t.Errorf("remote advice: %q", got)
	}
}

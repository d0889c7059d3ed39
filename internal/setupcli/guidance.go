package setupcli

import (
	"fmt"
	"strings"

	"github.com/gmailsend/gmailsend"
)

// Hint is one row of docs/credentials.md's Troubleshooting table: what
// Gmail (or the token endpoint) says, the code the function gives it, and
// what to do. This table is the one source: the doc's rows are checked
// against it (readme_test.go), and the command prints the matching row's
// advice.
type Hint struct {
	Says string // as docs/credentials.md shows it (Markdown)
	Code gmailsend.Code
	Do   string // Markdown
	// matches picks the row for an error of Code.
	matches func(e *gmailsend.Error) bool
}

func replyIs(code int, enhanced string) func(*gmailsend.Error) bool {
	return func(e *gmailsend.Error) bool {
		return e.SMTP != nil && e.SMTP.Code == code && strings.HasPrefix(e.SMTP.EnhancedCode, enhanced)
	}
}

func messageHas(s string) func(*gmailsend.Error) bool {
	return func(e *gmailsend.Error) bool { return strings.Contains(e.Message, s) }
}

// Troubleshooting is docs/credentials.md's "Troubleshooting" table, in its order.
var Troubleshooting = []Hint{
	{"`535 5.7.8 Username and Password not accepted`", gmailsend.CodeSMTPAuthFailed,
		"use an app password (2-Step Verification on), not the account password; check `user`", replyIs(535, "5.7.8")},
	{"`534 5.7.9 Application-specific password required`", gmailsend.CodeSMTPAuthFailed,
		"the account has 2-Step Verification: create an app password", replyIs(534, "5.7.9")},
	{"`534 5.7.14 Please log in with your web browser`", gmailsend.CodeSMTPAuthFailed,
		"sign in once on the web, or the Workspace admin blocks less secure access: use OAuth", replyIs(534, "5.7.14")},
	{"XOAUTH2 `{\"status\":\"400\"}`", gmailsend.CodeSMTPAuthFailed,
		"the refresh token lacks `https://mail.google.com/`", messageHas("https://mail.google.com/ scope")},
	{"`invalid_grant`", gmailsend.CodeOAuthRefreshFailed,
		"the refresh token was revoked or expired (7 days in \"Testing\" status): obtain a new one with `gmailsend oauth login NAME`", messageHas("invalid_grant")},
	{"`550 5.4.5 Daily user sending limit exceeded`", gmailsend.CodeRateLimited,
		"wait (up to 24 h); Gmail allows about 500 messages a day (2,000 for Workspace)", replyIs(550, "5.4.5")},
	{"`421 4.7.0 Try again later`", gmailsend.CodeRateLimited,
		"slow down; the queue retries on its own", replyIs(421, "4.7.0")},
	{"`552 5.3.4 Message too big`", gmailsend.CodeSMTPRejected,
		"keep messages under 25 MB", replyIs(552, "5.3.4")},
	{"`550 5.7.1` …", gmailsend.CodeSMTPRejected,
		"Gmail judged the content or sender unacceptable", replyIs(550, "5.7.1")},
	{"certificate errors", gmailsend.CodeTLSRequired,
		"check `SMTP_HOST`; for a private server set `SMTP_CA_FILE`", messageHas("certificate")},
}

// flagOfSetting names, for advice about a login this command made itself,
// the flag that plays the function's setting.
var flagOfSetting = strings.NewReplacer("`SMTP_HOST`", "`--smtp-host`", "`SMTP_CA_FILE`", "`--ca-file`")

// adviceFor is the Troubleshooting advice for e, as plain text ("" when
// no row fits: the error's own message then says what is wrong). remote
// says e is the deployed function's answer: its advice keeps naming the
// function's settings; otherwise this command's flags stand in for them.
func adviceFor(e *gmailsend.Error, remote bool) string {
	for _, h := range Troubleshooting {
		if h.Code == e.Code && h.matches(e) {
			do := h.Do
			if !remote {
				do = flagOfSetting.Replace(do)
			}
			return strings.ReplaceAll(do, "`", "")
		}
	}
	return ""
}

// report prints a failure: the code and message, the server's own reply,
// and what to do. Nothing in an gmailsend.Error holds a secret.
func (c *command) report(err error) {
	e := gmailsend.AsError(err)
	if e.Code == gmailsend.CodeInternal && e.Err != nil {
		// A local failure (a file that cannot be read, …): its own text
		// says more than "internal error", and holds no secret.
		c.notef("gmailsend: %v\n", e.Err)
		return
	}
	line := fmt.Sprintf("gmailsend: %s: %s", e.Code, e.Message)
	if e.Field != "" {
		line += " (" + e.Field + ")"
	}
	c.notef("%s\n", line)
	if e.SMTP != nil {
		c.notef("  server said: %d %s %s\n", e.SMTP.Code, e.SMTP.EnhancedCode, e.SMTP.Message)
	}
	if advice := adviceFor(e, c.remote); advice != "" {
		c.notef("  what to do:  %s\n", advice)
	}
	if e.Code.Retryable() {
		c.notef("  this may pass if tried again later\n")
	}
}

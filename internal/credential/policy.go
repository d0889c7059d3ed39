package credential

import (
	"slices"

	"github.com/gmailsend/gmailsend/internal/email"
)

// Limits is what a stored credential may say about its own use, beside
// the account and secret:
//
//	{"user": …, "password": …, "allowedCallers": ["<api key id>", …],
//	 "dailyMessages": 2000, "dailyRecipients": 10000}
type Limits struct {
	// AllowedCallers are the API Gateway API key ids that may send with
	// this credential; empty allows every caller. Queue and event sources
	// are authorised by IAM and not affected.
	AllowedCallers []string `json:"allowedCallers,omitempty"`
	// DailyMessages and DailyRecipients replace DAILY_MESSAGE_LIMIT and
	// DAILY_RECIPIENT_LIMIT for this account (0: the deployment's).
	DailyMessages   int `json:"dailyMessages,omitempty"`
	DailyRecipients int `json:"dailyRecipients,omitempty"`
}

// check says what is wrong with l, or "".
func (l Limits) check() string {
	if l.DailyMessages < 0 || l.DailyRecipients < 0 {
		return `"dailyMessages" and "dailyRecipients" must be positive numbers`
	}
	for _, c := range l.AllowedCallers {
		if c == "" {
			return `"allowedCallers" holds an empty API key id`
		}
	}
	return ""
}

// CheckCaller refuses an API caller that the stored credential of l does
// not allow. fromAPI says the request came through API Gateway; other
// sources are authorised by IAM and pass.
func CheckCaller(l Login, fromAPI bool, caller string) error {
	if !fromAPI || l.Stored == "" || len(l.Limits.AllowedCallers) == 0 {
		return nil
	}
	if caller != "" && slices.Contains(l.Limits.AllowedCallers, caller) {
		return nil
	}
	return email.Errorf(email.CodeForbidden, "credential", "this API key may not send with credential %q", l.Stored)
}

package credential

import (
	"slices"

	"github.com/gmailsend/gmailsend"
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

// Caller is who asks to use a stored credential.
type Caller struct {
	// API says the request came through API Gateway, so the credential's
	// allowedCallers bind Key. Other sources (the queue, EventBridge, SNS,
	// direct invocations) are authorised by IAM and may use any
	// credential.
	API bool
	// Key is the API key id API Gateway supplied ("" without one).
	Key string
}

// IAM is a caller authorised by IAM: the queue, events, direct
// invocations, the bounce reader and the gmailsend command.
var IAM = Caller{}

// allows reports whether c may use a credential with limits l.
func (c Caller) allows(l Limits) bool {
	if !c.API || len(l.AllowedCallers) == 0 {
		return true
	}
	return c.Key != "" && slices.Contains(l.AllowedCallers, c.Key)
}

// refused is the one answer an API caller gets for a credential it may not
// use, whether it exists or not: what the credential holds (its account,
// its suppression list, whether it exists at all) is never an answer to
// a caller that may not use it.
func (c Caller) refused(name string) error {
	return gmailsend.Errorf(gmailsend.CodeForbidden, "credential",
		"this API key may not use credential %q, or no credential has that name", name)
}

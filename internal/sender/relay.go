package sender

import (
	"strings"

	"github.com/gmailsend/gmailsend"
)

// RelayPolicy limits who may send and to whom, so an exposed endpoint
// cannot be used as an open relay. Empty lists allow everything.
type RelayPolicy struct {
	// AllowedSenders are the accounts that may send (case-insensitive).
	AllowedSenders []string
	// AllowedRecipientDomains are the domains every recipient must be in.
	AllowedRecipientDomains []string
}

// Check refuses a mail outside the policy with forbidden.
func (p RelayPolicy) Check(m *gmailsend.Mail) error {
	if len(p.AllowedSenders) > 0 && !containsFold(p.AllowedSenders, m.From.Email) {
		return gmailsend.Errorf(gmailsend.CodeForbidden, "user", "account %s is not allowed to send through this deployment", m.From.Email)
	}
	if len(p.AllowedRecipientDomains) == 0 {
		return nil
	}
	for _, group := range []struct {
		field string
		list  []gmailsend.Address
	}{{"toEmail", m.To}, {"cc", m.Cc}, {"bcc", m.Bcc}} {
		for _, a := range group.list {
			domain := a.Email[strings.LastIndexByte(a.Email, '@')+1:]
			if !containsFold(p.AllowedRecipientDomains, domain) {
				return gmailsend.Errorf(gmailsend.CodeForbidden, group.field, "recipient domain %s is not allowed by this deployment", domain)
			}
		}
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}
